//! `desk check`: records, summaries and the audit chain, checked against
//! each other; and every record against the hash its latest audit event
//! gave it, so an edit made in the file itself is found and named.

use std::collections::HashMap;

use redb::{ReadTransaction, ReadableTable, ReadableTableMetadata};
use serde::de::DeserializeOwned;

use super::audit::{record_hash, AuditEvent, GENESIS};
use super::codec::{decode, encode_compact};
use super::failure::guarded;
use super::schema::{AUDIT, DISPUTES, META, OFFICERS, PERSONS, RECORD_TABLES, SUMMARIES};
use super::{Store, StoreError};
use crate::domain::dispute::Dispute;
use crate::domain::officer::Officer;
use crate::domain::person::KeyPerson;
use crate::domain::record::RecordKind;
use crate::domain::summary::Summary;

#[derive(Debug, Default)]
pub struct CheckReport {
    pub disputes: u64,
    pub persons: u64,
    pub audit_events: u64,
    pub faults: Vec<String>,
}

/// Each record's hash as its latest audit event left it (None: removed).
type Vouched = HashMap<(RecordKind, String), Option<String>>;

impl Store {
    /// Checks records, summaries, the audit chain and the records' hashes.
    /// Returns every fault found; a file too damaged to read is an error
    /// (never a panic).
    pub fn check(&self) -> Result<CheckReport, StoreError> {
        guarded("检查数据库", || {
            let r = self.begin_read()?;
            let mut report = CheckReport::default();
            check_disputes(&r, &mut report)?;
            report.persons = check_decodes::<KeyPerson>(&r, PERSONS, "重点人员", &mut report)?;
            check_decodes::<Officer>(&r, OFFICERS, "人员名册", &mut report)?;
            let vouched = check_chain(&r, &mut report)?;
            check_hashes(&r, vouched, &mut report.faults)?;
            Ok(report)
        })
    }
}

fn kind_label(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Dispute => "案件",
        RecordKind::Person => "重点人员",
        RecordKind::Officer => "值班名册中的账号",
        RecordKind::List => "名录或设置",
    }
}

fn check_disputes(r: &ReadTransaction, report: &mut CheckReport) -> Result<(), StoreError> {
    let disputes = r.open_table(DISPUTES)?;
    let summaries = r.open_table(SUMMARIES)?;
    let faults = &mut report.faults;
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
    Ok(())
}

/// Every entry of `def` decodes as a `T`; returns how many there are.
fn check_decodes<T: DeserializeOwned>(
    r: &ReadTransaction,
    def: redb::TableDefinition<&str, &[u8]>,
    what: &str,
    report: &mut CheckReport,
) -> Result<u64, StoreError> {
    let mut n = 0;
    for row in r.open_table(def)?.iter()? {
        let (k, v) = row?;
        n += 1;
        if let Err(e) = decode::<T>(what, v.value()) {
            report.faults.push(format!("{what} {}：{e}", k.value()));
        }
    }
    Ok(n)
}

/// The audit chain, link by link and against its head in `meta`. Returns
/// the hash each record was last given.
fn check_chain(r: &ReadTransaction, report: &mut CheckReport) -> Result<Vouched, StoreError> {
    let faults = &mut report.faults;
    let mut vouched = Vouched::new();
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
        for w in e.written {
            vouched.insert((w.kind, w.key), w.hash);
        }
        prev = e.hash;
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
    Ok(vouched)
}

/// Every record against the hash its latest audit event gave it: an entry
/// edited, added or removed outside the desk is named with its kind.
fn check_hashes(
    r: &ReadTransaction,
    mut vouched: Vouched,
    faults: &mut Vec<String>,
) -> Result<(), StoreError> {
    for (kind, def) in RECORD_TABLES {
        let label = kind_label(kind);
        for row in r.open_table(def)?.iter()? {
            let (k, v) = row?;
            let key = k.value();
            match vouched.remove(&(kind, key.to_string())) {
                Some(Some(hash)) if hash == record_hash(v.value()) => {}
                Some(Some(_)) => faults.push(format!(
                    "{label} {key} 与操作日志记下的不符：记录在日志之外被改动过"
                )),
                Some(None) => faults.push(format!(
                    "{label} {key} 按操作日志已删除，库里却还有：记录在日志之外被加回"
                )),
                None => faults.push(format!(
                    "{label} {key} 在操作日志里没有来历：记录在日志之外被加入"
                )),
            }
        }
    }
    let mut missing: Vec<_> = vouched
        .into_iter()
        .filter(|(_, hash)| hash.is_some())
        .map(|((kind, key), _)| (kind, key))
        .collect();
    missing.sort();
    for (kind, key) in missing {
        faults.push(format!(
            "{} {key} 按操作日志应当存在，库里却没有：记录在日志之外被删除",
            kind_label(kind)
        ));
    }
    Ok(())
}
