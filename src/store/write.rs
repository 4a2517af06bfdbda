//! The write transaction: every change is one durable redb transaction that
//! writes the records, their summaries and the audit events together.

use std::collections::HashSet;

use redb::{Durability, ReadableTable, WriteTransaction};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::audit::{record_hash, AuditEvent, KeptRequest, Written, GENESIS};
use super::codec::{decode, encode, encode_compact};
use super::requests;
use super::schema::{
    meta_get, meta_put, AUDIT, DISPUTES, LISTS, META, OFFICERS, PERSONS, SUMMARIES,
};
use super::{
    not_found_dispute, not_found_person, undo_key, Before, Committed, Store, StoreError, Touched,
    UndoEntry,
};
use crate::domain::dispute::{Dispute, Time};
use crate::domain::officer::Officer;
use crate::domain::person::KeyPerson;
use crate::domain::record::RecordKind;
use crate::domain::summary::Summary;

impl Store {
    /// Runs `f` in one durable write transaction. Every change must record at
    /// least one audit event; the revision only moves when records changed.
    pub fn write<R, E: From<StoreError>>(
        &self,
        actor: &str,
        now: Time,
        f: impl FnOnce(&mut Tx<'_>) -> Result<R, E>,
    ) -> Result<Committed<R>, E> {
        super::failure::guarded_as("保存", || self.write_guarded(actor, now, f))
    }

    fn write_guarded<R, E: From<StoreError>>(
        &self,
        actor: &str,
        now: Time,
        f: impl FnOnce(&mut Tx<'_>) -> Result<R, E>,
    ) -> Result<Committed<R>, E> {
        let _writing = self.writing.lock().unwrap_or_else(|p| p.into_inner());
        let mut t = crate::timing::Phases::new("store write");
        // The summaries a commit writes are gathered for the kept copy and
        // for the read model that follows commits.
        let caching = self.caching()
            || self
                .observer
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .is_some();
        let mut txn = self.begin_write()?;
        txn.set_durability(Durability::Immediate)
            .map_err(StoreError::from)?;
        let current: u64 = meta_get(&txn, "revision")?.unwrap_or(0);
        let mut tx = Tx {
            txn: &txn,
            revision: current + 1,
            actor: actor.to_string(),
            now,
            events: Vec::new(),
            touched: Vec::new(),
            touched_keys: Default::default(),
            written: Vec::new(),
            summaries: caching.then(Vec::new),
            answer: None,
        };
        let value = f(&mut tx)?;
        let (events, touched, written, summaries, mut answer) = (
            std::mem::take(&mut tx.events),
            std::mem::take(&mut tx.touched),
            std::mem::take(&mut tx.written),
            tx.summaries.take(),
            tx.answer.take(),
        );
        if events.is_empty() {
            return Err(StoreError::Db("内部错误：改动没有写审计记录".into()).into());
        }
        let revision = if touched.is_empty() {
            current
        } else {
            current + 1
        };
        let what = unsaved(&events);
        let request = requests::take_pending(answer.take());
        append_audit(&txn, events, revision, written, request.clone())?;
        if revision != current {
            meta_put(&txn, "revision", &revision)?;
        }
        t.mark("changes");
        txn.commit().map_err(|e| match StoreError::from(e) {
            StoreError::DiskFull(_) => StoreError::DiskFull(what),
            other => other,
        })?;
        t.mark("commit");
        if let Some(request) = request {
            self.remember(request, actor);
        }
        if let Some(written) = summaries {
            if let Some(f) = self
                .observer
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .as_ref()
            {
                f(revision, &written);
                t.mark("read model");
            }
            let mut kept = self
                .stored_summaries
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            if let Some(c) = kept.as_mut() {
                c.apply(revision, written);
            }
        }
        Ok(Committed {
            value,
            revision,
            touched,
        })
    }
}

/// What a failed commit did not save, for the officer: "登记 MD-2026-000001".
fn unsaved(events: &[PendingEvent]) -> String {
    events
        .iter()
        .map(|e| format!("{} {}", e.action, e.target).trim_end().to_string())
        .collect::<Vec<_>>()
        .join("、")
}

/// Appends the transaction's events to the chain; the last one carries the
/// records the transaction wrote and the request it answered.
pub(super) fn append_audit(
    txn: &WriteTransaction,
    events: Vec<PendingEvent>,
    revision: u64,
    mut written: Vec<Written>,
    mut request: Option<KeptRequest>,
) -> Result<(), StoreError> {
    let (mut seq, mut prev): (u64, String) =
        meta_get(txn, "audit_head")?.unwrap_or((0, GENESIS.to_string()));
    let mut t = txn.open_table(AUDIT)?;
    let last = events.len();
    for (i, p) in events.into_iter().enumerate() {
        seq += 1;
        let mut e = AuditEvent {
            seq,
            at: p.at,
            actor: p.actor,
            action: p.action,
            target: p.target,
            detail: p.detail,
            revision,
            prev: prev.clone(),
            hash: String::new(),
            written: if i + 1 == last {
                std::mem::take(&mut written)
            } else {
                Vec::new()
            },
            request: if i + 1 == last { request.take() } else { None },
        };
        e.hash = e.compute_hash();
        t.insert(seq, encode(&e).as_slice())?;
        prev = e.hash;
    }
    drop(t);
    meta_put(txn, "audit_head", &(seq, prev))
}

pub(super) struct PendingEvent {
    pub(super) at: Time,
    pub(super) actor: String,
    pub(super) action: String,
    pub(super) target: String,
    pub(super) detail: String,
}

/// One write transaction in progress.
pub struct Tx<'a> {
    txn: &'a WriteTransaction,
    revision: u64,
    actor: String,
    now: Time,
    events: Vec<PendingEvent>,
    touched: Vec<Touched>,
    /// `touched` as a set: a bulk import touches 100 000 records.
    touched_keys: HashSet<(RecordKind, String)>,
    /// Every record written or removed, with the hash of its stored bytes.
    written: Vec<Written>,
    /// Summaries written (None: removed), in order, for the store's cache
    /// when it keeps one.
    summaries: Option<Vec<(String, Option<Vec<u8>>)>>,
    /// The reply to keep with the request's key (see `requests`).
    answer: Option<Vec<u8>>,
}

impl Tx<'_> {
    pub fn now(&self) -> Time {
        self.now
    }

    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// Whether this change answers a request with a key: then its reply is
    /// kept with the key (`keep_answer`), in this transaction.
    pub fn answers_request(&self) -> bool {
        requests::is_pending()
    }

    /// The reply to keep with the request's key, already encoded.
    pub fn keep_answer(&mut self, answer: Vec<u8>) {
        self.answer = Some(answer);
    }

    /// Records an audit event in this transaction.
    pub fn audit(&mut self, action: &str, target: &str, detail: &str) {
        self.events.push(PendingEvent {
            at: self.now,
            actor: self.actor.clone(),
            action: action.to_string(),
            target: target.to_string(),
            detail: detail.to_string(),
        });
    }

    /// The next number of a per-key sequence; numbers are never reused.
    pub fn next_seq(&mut self, key: &str) -> Result<u64, StoreError> {
        let key = format!("seq:{key}");
        let n: u64 = meta_get(self.txn, &key)?.unwrap_or(0) + 1;
        meta_put(self.txn, &key, &n)?;
        Ok(n)
    }

    /// Reserves `count` consecutive numbers of a sequence at once and
    /// returns the first (a bulk import numbers thousands of records).
    pub fn reserve_seq(&mut self, key: &str, count: u64) -> Result<u64, StoreError> {
        let key = format!("seq:{key}");
        let last: u64 = meta_get(self.txn, &key)?.unwrap_or(0);
        if count > 0 {
            meta_put(self.txn, &key, &(last + count))?;
        }
        Ok(last + 1)
    }

    /// Moves a sequence past `at_least`, so numbers an import brought in
    /// (MD-2024-000123) are never handed out again.
    pub fn raise_seq(&mut self, key: &str, at_least: u64) -> Result<(), StoreError> {
        let key = format!("seq:{key}");
        let n: u64 = meta_get(self.txn, &key)?.unwrap_or(0);
        if at_least > n {
            meta_put(self.txn, &key, &at_least)?;
        }
        Ok(())
    }

    pub fn dispute(&self, id: &str) -> Result<Dispute, StoreError> {
        let t = self.txn.open_table(DISPUTES)?;
        let v = t.get(id)?.ok_or_else(|| not_found_dispute(id))?;
        decode(&format!("案件 {id} "), v.value())
    }

    pub fn dispute_exists(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self.txn.open_table(DISPUTES)?.get(id)?.is_some())
    }

    /// `dispute_exists` for many ids, opening the table once.
    pub fn disputes_exist<'i>(
        &self,
        ids: impl IntoIterator<Item = &'i str>,
    ) -> Result<Vec<bool>, StoreError> {
        let t = self.txn.open_table(DISPUTES)?;
        ids.into_iter().map(|id| Ok(t.get(id)?.is_some())).collect()
    }

    /// Writes a dispute with this transaction's revision and keeps its
    /// summary in step.
    pub fn put_dispute(&mut self, d: &mut Dispute) -> Result<(), StoreError> {
        d.rev = self.revision;
        let compact = encode_compact(&Summary::of(d));
        self.txn
            .open_table(SUMMARIES)?
            .insert(d.id.as_str(), compact.as_slice())?;
        if let Some(kept) = self.summaries.as_mut() {
            kept.push((d.id.clone(), Some(compact)));
        }
        let bytes = encode(d);
        self.txn
            .open_table(DISPUTES)?
            .insert(d.id.as_str(), bytes.as_slice())?;
        self.wrote(RecordKind::Dispute, &d.id, Some(&bytes));
        self.touch(RecordKind::Dispute, &d.id);
        Ok(())
    }

    /// Writes many disputes (a ledger import) as `put_dispute` does, with
    /// each table opened once instead of once per record (at 100 000 rows
    /// the opening was most of the time), on two threads.
    pub fn put_disputes(&mut self, ds: &mut [Dispute]) -> Result<(), StoreError> {
        for d in ds.iter_mut() {
            d.rev = self.revision;
        }
        let (summaries, hashes) =
            super::bulk::put_disputes(self.txn, ds, self.summaries.is_some())?;
        if let Some(all) = self.summaries.as_mut() {
            all.extend(summaries);
        }
        self.written
            .extend(ds.iter().zip(hashes).map(|(d, hash)| Written {
                kind: RecordKind::Dispute,
                key: d.id.clone(),
                hash: Some(hash),
            }));
        for d in ds.iter() {
            self.touch(RecordKind::Dispute, &d.id);
        }
        Ok(())
    }

    pub fn person(&self, id: &str) -> Result<KeyPerson, StoreError> {
        let t = self.txn.open_table(PERSONS)?;
        let v = t.get(id)?.ok_or_else(|| not_found_person(id))?;
        decode(&format!("重点人员 {id} "), v.value())
    }

    /// Every key person, in 编号 order (a cadence change reapplies to them).
    pub fn persons(&self) -> Result<Vec<KeyPerson>, StoreError> {
        let t = self.txn.open_table(PERSONS)?;
        let mut out = Vec::new();
        for row in t.iter()? {
            let (k, v) = row?;
            out.push(decode(&format!("重点人员 {} ", k.value()), v.value())?);
        }
        Ok(out)
    }

    pub fn put_person(&mut self, p: &mut KeyPerson) -> Result<(), StoreError> {
        p.rev = self.revision;
        let bytes = encode(p);
        self.txn
            .open_table(PERSONS)?
            .insert(p.id.as_str(), bytes.as_slice())?;
        self.wrote(RecordKind::Person, &p.id, Some(&bytes));
        self.touch(RecordKind::Person, &p.id);
        Ok(())
    }

    pub fn officer(&self, login: &str) -> Result<Option<Officer>, StoreError> {
        let t = self.txn.open_table(OFFICERS)?;
        let v = t.get(login)?;
        v.map(|v| decode("人员名册", v.value())).transpose()
    }

    pub fn put_officer(&mut self, o: &Officer) -> Result<(), StoreError> {
        let bytes = encode(o);
        self.txn
            .open_table(OFFICERS)?
            .insert(o.login.as_str(), bytes.as_slice())?;
        self.wrote(RecordKind::Officer, &o.login, Some(&bytes));
        self.touch(RecordKind::Officer, &o.login);
        Ok(())
    }

    pub fn list<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, StoreError> {
        let t = self.txn.open_table(LISTS)?;
        let v = t.get(name)?;
        v.map(|v| decode(name, v.value())).transpose()
    }

    pub fn put_list<T: Serialize>(&mut self, name: &str, value: &T) -> Result<(), StoreError> {
        let bytes = encode(value);
        self.txn.open_table(LISTS)?.insert(name, bytes.as_slice())?;
        self.wrote(RecordKind::List, name, Some(&bytes));
        self.touch(RecordKind::List, name);
        Ok(())
    }

    /// Removes a dispute with its summary (undoing its registration). Its
    /// 编号 is not handed out again.
    pub fn delete_dispute(&mut self, id: &str) -> Result<(), StoreError> {
        self.txn.open_table(SUMMARIES)?.remove(id)?;
        if self.txn.open_table(DISPUTES)?.remove(id)?.is_none() {
            return Err(not_found_dispute(id));
        }
        if let Some(kept) = self.summaries.as_mut() {
            kept.push((id.to_string(), None));
        }
        self.wrote(RecordKind::Dispute, id, None);
        self.touch(RecordKind::Dispute, id);
        Ok(())
    }

    pub fn delete_person(&mut self, id: &str) -> Result<(), StoreError> {
        if self.txn.open_table(PERSONS)?.remove(id)?.is_none() {
            return Err(not_found_person(id));
        }
        self.wrote(RecordKind::Person, id, None);
        self.touch(RecordKind::Person, id);
        Ok(())
    }

    /// Keeps what `target` was before this transaction's change as the
    /// actor's one undoable action, replacing the previous one.
    pub fn remember_undo(
        &mut self,
        action: &str,
        target: &str,
        before: Before,
    ) -> Result<(), StoreError> {
        let entry = UndoEntry {
            at: self.now,
            action: action.to_string(),
            target: target.to_string(),
            after_rev: self.revision,
            before,
        };
        meta_put(self.txn, &undo_key(&self.actor), &entry)
    }

    /// The actor's undoable action, removed (kept if the transaction aborts).
    pub fn take_undo(&mut self) -> Result<Option<UndoEntry>, StoreError> {
        let key = undo_key(&self.actor);
        let entry = meta_get(self.txn, &key)?;
        self.txn.open_table(META)?.remove(key.as_str())?;
        Ok(entry)
    }

    /// Notes a record as stored (its bytes) or removed (None) for the audit event.
    fn wrote(&mut self, kind: RecordKind, key: &str, bytes: Option<&[u8]>) {
        self.written.push(Written {
            kind,
            key: key.to_string(),
            hash: bytes.map(record_hash),
        });
    }

    fn touch(&mut self, kind: RecordKind, id: &str) {
        if self.touched_keys.insert((kind, id.to_string())) {
            self.touched.push(Touched {
                kind,
                id: id.to_string(),
            });
        }
    }
}
