//! `desk check`: records, summaries and the audit chain, checked against
//! each other.

use redb::{ReadableDatabase, ReadableTable, ReadableTableMetadata};

use super::audit::{AuditEvent, GENESIS};
use super::codec::{decode, encode_compact};
use super::schema::{AUDIT, DISPUTES, META, OFFICERS, PERSONS, SUMMARIES};
use super::{Store, StoreError};
use crate::domain::dispute::Dispute;
use crate::domain::officer::Officer;
use crate::domain::person::KeyPerson;
use crate::domain::summary::Summary;

#[derive(Debug, Default)]
pub struct CheckReport {
    pub disputes: u64,
    pub persons: u64,
    pub audit_events: u64,
    pub faults: Vec<String>,
}

impl Store {
    /// Checks records, summaries and the audit chain. Returns every fault found.
    pub fn check(&self) -> Result<CheckReport, StoreError> {
        let r = self.db.begin_read()?;
        let mut report = CheckReport::default();
        let faults = &mut report.faults;

        let disputes = r.open_table(DISPUTES)?;
        let summaries = r.open_table(SUMMARIES)?;
        for row in disputes.iter()? {
            let (k, v) = row?;
            let id = k.value().to_string();
            report.disputes += 1;
            let d: Dispute = match decode(&format!("案件 {id} "), v.value()) {
                Ok(d) => d,
                Err(e) => {
                    faults.push(e.to_string());
                    continue;
                }
            };
            if d.id != id {
                faults.push(format!("案件键 {id} 与记录中的编号 {} 不符", d.id));
            }
            let summary = Summary::of(&d);
            match summaries.get(id.as_str())? {
                Some(s) if s.value() == encode_compact(&summary).as_slice() => {}
                Some(_) => faults.push(format!("案件 {id} 的摘要与记录不一致")),
                None => faults.push(format!("案件 {id} 缺少摘要")),
            }
        }
        if summaries.len()? != report.disputes {
            faults.push(format!(
                "摘要表有 {} 条，案件表有 {} 条",
                summaries.len()?,
                report.disputes
            ));
        }

        for row in r.open_table(PERSONS)?.iter()? {
            let (k, v) = row?;
            report.persons += 1;
            if let Err(e) = decode::<KeyPerson>("重点人员", v.value()) {
                faults.push(format!("重点人员 {}：{e}", k.value()));
            }
        }
        for row in r.open_table(OFFICERS)?.iter()? {
            let (k, v) = row?;
            if let Err(e) = decode::<Officer>("人员名册", v.value()) {
                faults.push(format!("人员名册 {}：{e}", k.value()));
            }
        }

        let audit = r.open_table(AUDIT)?;
        let mut prev = GENESIS.to_string();
        let mut expect_seq = 1u64;
        for row in audit.iter()? {
            let (k, v) = row?;
            let seq = k.value();
            report.audit_events += 1;
            let e: AuditEvent = match decode("审计记录", v.value()) {
                Ok(e) => e,
                Err(err) => {
                    faults.push(format!("审计记录 #{seq}：{err}"));
                    expect_seq = seq + 1;
                    continue;
                }
            };
            if seq != expect_seq {
                faults.push(format!(
                    "审计记录不连续：缺少 #{expect_seq} 到 #{}",
                    seq - 1
                ));
            }
            if e.seq != seq {
                faults.push(format!("审计记录 #{seq} 的序号被改为 {}", e.seq));
            }
            if e.prev != prev {
                faults.push(format!(
                    "审计记录 #{seq} 与上一条衔接不上（前一条被改动或删除）"
                ));
            }
            if e.compute_hash() != e.hash {
                faults.push(format!("审计记录 #{seq} 的内容被改动（校验值不符）"));
            }
            prev = e.hash.clone();
            expect_seq = seq + 1;
        }
        let meta = r.open_table(META)?;
        let head: Option<(u64, String)> = match meta.get("audit_head")? {
            Some(v) => Some(decode("审计链头", v.value())?),
            None => None,
        };
        match head {
            Some((seq, hash)) if seq != expect_seq - 1 || hash != prev => faults.push(format!(
                "审计链尾不符：应到 #{seq}，实际到 #{}（末尾记录被删除或改动）",
                expect_seq - 1
            )),
            None if expect_seq > 1 => faults.push("审计链头丢失".to_string()),
            _ => {}
        }
        Ok(report)
    }
}
