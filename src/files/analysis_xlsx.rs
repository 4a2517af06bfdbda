//! The 研判会 analysis as a workbook: 概况, 分类, 重点风险, 趋势 — the same
//! figures as the text, for the meeting's slides and the county.

use std::path::Path;

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet};
use unicode_width::UnicodeWidthStr;

use crate::domain::reports::analysis::AnalysisFigures;
use crate::domain::text::clean_line;

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> anyhow::Error {
    anyhow::anyhow!("写 Excel 文件失败：{e}")
}

enum V {
    T(String),
    N(f64),
    /// A percentage given as 96.3 (shown 96.3%).
    P(Option<f64>),
}

fn sheet(
    book: &mut Workbook,
    name: &str,
    header: &[&str],
    rows: Vec<Vec<V>>,
) -> anyhow::Result<()> {
    let head = Format::new()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_background_color(0xDDEBF7)
        .set_border(FormatBorder::Thin);
    let pct = Format::new().set_num_format("0.0%");
    let ws: &mut Worksheet = book.add_worksheet();
    ws.set_name(name).map_err(xlsx_err)?;
    let mut widths: Vec<usize> = header.iter().map(|h| h.width() + 2).collect();
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &head)
            .map_err(xlsx_err)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, v) in row.iter().enumerate() {
            let col = c as u16;
            let w = match v {
                V::T(s) => {
                    let s = clean_line(s);
                    ws.write_string(r, col, &s).map_err(xlsx_err)?;
                    s.width()
                }
                V::N(n) => {
                    ws.write_number(r, col, *n).map_err(xlsx_err)?;
                    n.to_string().len()
                }
                V::P(Some(p)) => {
                    ws.write_number_with_format(r, col, p / 100.0, &pct)
                        .map_err(xlsx_err)?;
                    6
                }
                V::P(None) => {
                    ws.write_string(r, col, "—").map_err(xlsx_err)?;
                    2
                }
            };
            if let Some(slot) = widths.get_mut(c) {
                *slot = (*slot).max(w + 2);
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, (*w).clamp(6, 60) as f64)
            .map_err(xlsx_err)?;
    }
    ws.set_freeze_panes(1, 0).map_err(xlsx_err)?;
    Ok(())
}

pub fn write(path: &Path, f: &AnalysisFigures) -> anyhow::Result<()> {
    let mut book = Workbook::new();
    let n = |x: u32| V::N(f64::from(x));
    let t = |s: &str| V::T(s.to_string());
    let overview = vec![
        vec![t("统计期间"), t(&f.label)],
        vec![t("敏感时期"), t(&f.periods.join("、"))],
        vec![t("本期新增"), n(f.new_total)],
        vec![t("本期新增中已化解"), n(f.new_resolved)],
        vec![t("化解率"), V::P(f.resolution_rate)],
        vec![t("本期销号"), n(f.closed_total)],
        vec![t("其中调解成功"), n(f.mediated_total)],
        vec![t("调解成功率"), V::P(f.mediation_rate)],
        vec![t("在办"), n(f.open_total)],
        vec![t("逾期"), n(f.overdue)],
        vec![t("挂牌督办"), n(f.supervised)],
        vec![t("领导包案"), n(f.packaged)],
        vec![t("民转刑倾向（在办）"), n(f.criminal_tendency)],
    ];
    sheet(&mut book, "概况", &["指标", "数值"], overview)?;
    let mut groups = Vec::new();
    for (group, counts) in [
        ("本期新增·类型", &f.by_category),
        ("本期新增·村(社区)", &f.by_village),
        ("在办·层级", &f.open_by_tier),
        ("在办·状态", &f.open_by_status),
    ] {
        for c in counts {
            groups.push(vec![t(group), t(&c.name), n(c.n)]);
        }
    }
    sheet(&mut book, "分类", &["分组", "名称", "件数"], groups)?;
    let risks = f
        .top_risks
        .iter()
        .enumerate()
        .map(|(i, c)| {
            vec![
                V::N(i as f64 + 1.0),
                t(&c.id),
                t(&c.village),
                t(&c.category),
                t(&c.title),
                t(c.status.label()),
                t(c.risk.map(|r| r.label()).unwrap_or("未研判")),
                t(&c.deadline.map(|d| d.to_string()).unwrap_or_default()),
                V::N(f64::from(c.score)),
                t(&c.reasons_text(usize::MAX)),
                V::N(f64::from(c.lateness)),
                t(&c.late_text()),
            ]
        })
        .collect();
    sheet(
        &mut book,
        "重点风险",
        &[
            "序号",
            "编号",
            "村(社区)",
            "类型",
            "标题",
            "状态",
            "风险等级",
            "化解时限",
            "风险分",
            "得分原因",
            "时限压力",
            "时限压力原因",
        ],
        risks,
    )?;
    let trend = f
        .trend
        .iter()
        .map(|r| {
            vec![
                t(&r.label),
                t(&r.from.to_string()),
                t(&r.to.to_string()),
                n(r.new),
                n(r.resolved),
            ]
        })
        .collect();
    sheet(
        &mut book,
        "趋势",
        &["半月", "起", "止", "新增", "化解"],
        trend,
    )?;
    super::save_workbook(&mut book, path)
}
