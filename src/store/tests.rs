use super::audit::AuditEvent;
use super::codec::{decode, encode};
use super::schema::{AUDIT, DISPUTES, META, SUMMARIES};
use super::*;
use crate::domain::dispute::Dispute;
use crate::domain::dispute::{NewDispute, Party};
use crate::domain::lists::{PartyRole, RiskLevel, Source};
use crate::domain::record::RecordKind;
use crate::domain::summary::Summary;
use chrono::{FixedOffset, TimeZone};
use redb::{
    MultimapTableDefinition, MultimapTableHandle, ReadableDatabase, ReadableTable, WriteTransaction,
};

fn now() -> Time {
    FixedOffset::east_opt(8 * 3600)
        .unwrap()
        .with_ymd_and_hms(2026, 11, 20, 9, 30, 0)
        .unwrap()
}

fn temp() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("desk.redb")).unwrap();
    (dir, store)
}

fn register(store: &Store, village: &str) -> String {
    store
        .write("zb1", now(), |tx| {
            let n = tx.next_seq("dispute:2026")?;
            let id = format!("MD-2026-{n:06}");
            let new = NewDispute {
                village: village.into(),
                category: "邻里".into(),
                source: Some(Source::Call),
                summary: "宅前排水沟争议".into(),
                parties: vec![Party::new("赵春生", PartyRole::Applicant, None)?],
                ..Default::default()
            };
            let mut d = Dispute::register(id.clone(), new, "zb1", now())?;
            d.parties[0].person_id = Some("RY-000001".into());
            tx.put_dispute(&mut d)?;
            tx.audit("登记", &id, village);
            Ok::<_, StoreError>(id)
        })
        .unwrap()
        .value
}

/// Ids of the stored summaries that pass `f`, in 编号 order.
fn ids_where(store: &Store, f: impl Fn(&Summary) -> bool) -> Vec<String> {
    let summaries = store.summaries().unwrap();
    summaries
        .into_iter()
        .filter(|s| f(s))
        .map(|s| s.id)
        .collect()
}

#[test]
fn records_summaries_and_audit_commit_together() {
    let (_dir, store) = temp();
    let a = register(&store, "东河村");
    let b = register(&store, "西岗村");
    assert_eq!(
        (a.as_str(), b.as_str()),
        ("MD-2026-000001", "MD-2026-000002")
    );
    assert_eq!(store.revision().unwrap(), 2);
    let status = |s: &Summary, label: &str| s.status.label() == label;
    assert_eq!(
        ids_where(&store, |s| status(s, "登记")),
        vec![a.clone(), b.clone()]
    );
    assert_eq!(
        ids_where(&store, |s| s.village == "西岗村"),
        vec![b.clone()]
    );
    let of_person = |s: &Summary| s.person_ids.iter().any(|p| p == "RY-000001");
    assert_eq!(ids_where(&store, of_person).len(), 2);

    let c = store
        .write("zb1", now(), |tx| {
            let mut d = tx.dispute(&a)?;
            d.triage(RiskLevel::High, vec![], None, "zb1", now())?;
            let deadline = now().date_naive() + chrono::Days::new(7);
            d.assign("ld1", "司法所", "tj1", deadline, "zb1", now())?;
            tx.put_dispute(&mut d)?;
            tx.audit("交办", &a, "司法所");
            Ok::<_, StoreError>(d.rev)
        })
        .unwrap();
    assert_eq!(c.value, 3);
    assert_eq!(
        c.touched,
        vec![Touched {
            kind: RecordKind::Dispute,
            id: a.clone()
        }]
    );
    assert_eq!(ids_where(&store, |s| status(s, "登记")), vec![b.clone()]);
    assert_eq!(ids_where(&store, |s| status(s, "已交办")), vec![a.clone()]);
    let due_by = |date: &str| {
        let date: chrono::NaiveDate = date.parse().unwrap();
        ids_where(&store, |s| {
            s.status.is_open() && s.deadline.is_some_and(|d| d <= date)
        })
    };
    assert_eq!(due_by("2026-11-27"), vec![a.clone()]);
    assert!(due_by("2026-11-26").is_empty());
    let report = store.check().unwrap();
    assert!(report.faults.is_empty(), "{:?}", report.faults);
    assert_eq!((report.disputes, report.audit_events), (2, 3));
}

#[test]
fn a_failed_change_writes_nothing() {
    let (_dir, store) = temp();
    let a = register(&store, "东河村");
    let err = store
        .write("zb1", now(), |tx| {
            let mut d = tx.dispute(&a)?;
            d.village = "改过的村".into();
            tx.put_dispute(&mut d)?;
            tx.audit("改动", &a, "");
            d.accept("tj1", now())?; // illegal: not assigned
            Ok::<_, StoreError>(())
        })
        .err()
        .unwrap();
    assert!(err.to_string().starts_with("不能签收"), "{err}");
    assert_eq!(store.dispute(&a).unwrap().village, "东河村");
    assert_eq!(store.audit(0).unwrap().len(), 1);
    assert_eq!(store.revision().unwrap(), 1);
}

fn tamper(store: &Store, f: impl FnOnce(&WriteTransaction)) {
    let txn = store.begin_write().unwrap();
    f(&txn);
    txn.commit().unwrap();
}

#[test]
fn check_finds_an_edited_audit_entry() {
    let (_dir, store) = temp();
    for _ in 0..3 {
        register(&store, "东河村");
    }
    tamper(&store, |txn| {
        let mut t = txn.open_table(AUDIT).unwrap();
        let mut e: AuditEvent = decode("", t.get(2).unwrap().unwrap().value()).unwrap();
        e.actor = "someone".into();
        t.insert(2, encode(&e).as_slice()).unwrap();
    });
    let faults = store.check().unwrap().faults;
    assert_eq!(
        faults,
        vec!["审计记录 #2 的内容被改动（校验值不符）".to_string()]
    );
}

#[test]
fn check_finds_a_deleted_audit_entry_in_the_middle_and_at_the_end() {
    let (_dir, store) = temp();
    for _ in 0..4 {
        register(&store, "东河村");
    }
    tamper(&store, |txn| {
        txn.open_table(AUDIT).unwrap().remove(2).unwrap();
    });
    let faults = store.check().unwrap().faults;
    assert!(faults.iter().any(|f| f.contains("缺少 #2")), "{faults:?}");
    assert!(
        faults.iter().any(|f| f.contains("#3 与上一条衔接不上")),
        "{faults:?}"
    );

    let (_dir2, store) = temp();
    for _ in 0..3 {
        register(&store, "东河村");
    }
    tamper(&store, |txn| {
        txn.open_table(AUDIT).unwrap().remove(3).unwrap();
    });
    let faults = store.check().unwrap().faults;
    assert_eq!(faults.len(), 2, "{faults:?}");
    assert!(faults[0].starts_with("审计链尾不符"), "{faults:?}");
    // The removed event was the one vouching for the third case.
    assert!(
        faults[1].contains("案件 MD-2026-000003 在操作日志里没有来历"),
        "{faults:?}"
    );
}

#[test]
fn check_finds_broken_summaries() {
    let (_dir, store) = temp();
    let a = register(&store, "东河村");
    let b = register(&store, "西岗村");
    tamper(&store, |txn| {
        let mut s = txn.open_table(SUMMARIES).unwrap();
        s.insert(a.as_str(), b"DC\x00".as_slice()).unwrap();
        s.remove(b.as_str()).unwrap();
    });
    let faults = store.check().unwrap().faults;
    assert!(faults.contains(&format!("案件 {b} 缺少摘要")), "{faults:?}");
    assert!(
        faults.contains(&format!("案件 {a} 的摘要与记录不一致")),
        "{faults:?}"
    );
}

#[test]
fn a_record_from_before_a_field_existed_reads() {
    let (_dir, store) = temp();
    let a = register(&store, "东河村");
    // Drop fields added after the first release from the stored JSON.
    tamper(&store, |txn| {
        let mut t = txn.open_table(DISPUTES).unwrap();
        let mut v: serde_json::Value =
            decode("", t.get(a.as_str()).unwrap().unwrap().value()).unwrap();
        let obj = v.as_object_mut().unwrap();
        for field in [
            "history",
            "follow_ups",
            "approvals",
            "supervised",
            "flags",
            "rev",
        ] {
            obj.remove(field);
        }
        t.insert(a.as_str(), encode(&v).as_slice()).unwrap();
    });
    let d = store.dispute(&a).unwrap();
    assert!(d.history.is_empty() && d.flags.is_empty() && !d.supervised);
    assert_eq!(d.parties[0].name, "赵春生");
}

#[test]
fn corrupt_bytes_are_an_error_not_a_panic() {
    let (_dir, store) = temp();
    let a = register(&store, "东河村");
    tamper(&store, |txn| {
        txn.open_table(DISPUTES)
            .unwrap()
            .insert(a.as_str(), b"\xff\x00garbage".as_slice())
            .unwrap();
    });
    assert!(matches!(store.dispute(&a), Err(StoreError::Corrupt(_))));
    assert!(!store.check().unwrap().faults.is_empty());
}

#[test]
fn backup_is_a_consistent_openable_copy() {
    let (dir, store) = temp();
    for v in ["东河村", "西岗村", "南湾社区"] {
        register(&store, v);
    }
    let backups = dir.path().join("backups");
    let (out, bytes) = store.backup(&backups, "备份.redb").unwrap();
    assert_eq!(out, backups.join("备份.redb"));
    assert!(bytes > 0);
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&out), 0o600);
    assert_eq!(mode(&backups), 0o700);
    let copy = Store::open(&out).unwrap();
    assert_eq!(copy.summaries().unwrap(), store.summaries().unwrap());
    assert_eq!(copy.audit(0).unwrap(), store.audit(0).unwrap());
    assert!(copy.check().unwrap().faults.is_empty());
    assert!(!backups.join(".备份.redb.tmp").exists());
}

#[test]
fn a_backup_never_replaces_a_file_nor_the_live_database() {
    let (dir, store) = temp();
    register(&store, "东河村");
    let backups = dir.path().join("backups");
    store.backup(&backups, "a.redb").unwrap();
    let before = std::fs::read(backups.join("a.redb")).unwrap();
    register(&store, "西岗村");
    let again = store.backup(&backups, "a.redb").err().unwrap().to_string();
    assert!(again.contains("已有“a.redb”，不覆盖"), "{again}");
    assert_eq!(std::fs::read(backups.join("a.redb")).unwrap(), before);
    // The database's own directory as the backup directory: its own name is refused.
    let live = store
        .backup(dir.path(), "desk.redb")
        .err()
        .unwrap()
        .to_string();
    assert!(live.contains("正在使用的数据库文件"), "{live}");
    assert_eq!(store.disputes().unwrap().len(), 2);
    assert!(store.check().unwrap().faults.is_empty());
}

#[test]
fn every_record_written_is_vouched_for_by_its_audit_event() {
    let (_dir, store) = temp();
    let a = register(&store, "东河村");
    let events = store.audit(0).unwrap();
    let written = &events.last().unwrap().written;
    assert_eq!(written.len(), 1);
    assert_eq!(
        (written[0].kind, written[0].key.as_str()),
        (RecordKind::Dispute, a.as_str())
    );
    let stored = {
        let r = store.begin_read().unwrap();
        let t = r.open_table(DISPUTES).unwrap();
        let v = t.get(a.as_str()).unwrap().unwrap();
        v.value().to_vec()
    };
    assert_eq!(
        written[0].hash.as_deref(),
        Some(super::audit::record_hash(&stored).as_str())
    );
    // A same-length edit of the stored bytes, behind the desk's back.
    let edited = String::from_utf8(stored)
        .unwrap()
        .replace("东河村", "西河村");
    tamper(&store, |txn| {
        txn.open_table(DISPUTES)
            .unwrap()
            .insert(a.as_str(), edited.as_bytes())
            .unwrap();
    });
    let faults = store.check().unwrap().faults;
    assert!(
        faults
            .iter()
            .any(|f| f.contains(&format!("案件 {a} 与操作日志记下的不符"))),
        "{faults:?}"
    );
}

#[test]
fn removed_and_smuggled_records_are_named() {
    let (_dir, store) = temp();
    let a = register(&store, "东河村");
    let b = register(&store, "西岗村");
    store
        .write("zb1", now(), |tx| {
            tx.delete_dispute(&b)?;
            tx.audit("撤销", &b, "");
            Ok::<_, StoreError>(())
        })
        .unwrap();
    assert!(store.check().unwrap().faults.is_empty());
    let bytes = encode(&store.dispute(&a).unwrap());
    tamper(&store, |txn| {
        txn.open_table(DISPUTES)
            .unwrap()
            .remove(a.as_str())
            .unwrap();
        txn.open_table(SUMMARIES)
            .unwrap()
            .remove(a.as_str())
            .unwrap();
        txn.open_table(DISPUTES)
            .unwrap()
            .insert(b.as_str(), bytes.as_slice())
            .unwrap();
    });
    let faults = store.check().unwrap().faults;
    let has = |s: &str| faults.iter().any(|f| f.contains(s));
    assert!(has(&format!("案件 {a} 按操作日志应当存在")), "{faults:?}");
    assert!(has(&format!("案件 {b} 按操作日志已删除")), "{faults:?}");
}

#[test]
fn a_second_open_of_the_same_file_is_refused_in_chinese() {
    let (dir, _store) = temp();
    let err = Store::open(&dir.path().join("desk.redb")).err().unwrap();
    assert!(matches!(err, StoreError::Busy(_)));
    assert!(err.to_string().starts_with("数据库文件正被另一个程序使用"));
}

#[test]
fn kept_summaries_follow_every_commit() {
    let (_dir, store) = temp();
    let a = register(&store, "东河村");
    assert!(store.kept_summary_blob().unwrap().is_none());
    store.keep_summaries().unwrap();
    let same_as_table = |store: &Store| {
        let (revision, count, blob) = store.kept_summary_blob().unwrap().expect("kept");
        assert_eq!(revision, store.revision().unwrap());
        assert_eq!((count, blob.to_vec()), store.summary_blob().unwrap());
    };
    same_as_table(&store);
    let b = register(&store, "西岗村");
    same_as_table(&store);
    // Many at once (an import), then a change and a removal in one commit.
    store
        .write("zb1", now(), |tx| {
            let mut many: Vec<Dispute> = (3..2103)
                .map(|n| {
                    let mut d = tx.dispute(&a).unwrap();
                    d.id = format!("MD-2026-{n:06}");
                    d
                })
                .collect();
            tx.put_disputes(&mut many)?;
            tx.audit("导入台账", "", "");
            Ok::<_, StoreError>(())
        })
        .unwrap();
    same_as_table(&store);
    store
        .write("zb1", now(), |tx| {
            let mut d = tx.dispute(&a)?;
            d.summary = "改过的矛盾情况".into();
            tx.put_dispute(&mut d)?;
            tx.delete_dispute(&b)?;
            tx.audit("改动", &a, "");
            Ok::<_, StoreError>(())
        })
        .unwrap();
    same_as_table(&store);
    let (_, count, _) = store.current_summary_blob().unwrap();
    assert_eq!(count, 2101);
}

#[test]
fn opening_a_version_1_file_drops_its_unread_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.redb");
    let a;
    {
        let store = Store::open(&path).unwrap();
        a = register(&store, "东河村");
        tamper(&store, |txn| {
            let mut t = txn
                .open_multimap_table(MultimapTableDefinition::<&str, &str>::new("idx_village"))
                .unwrap();
            t.insert("东河村", a.as_str()).unwrap();
            drop(t);
            let mut meta = txn.open_table(META).unwrap();
            meta.insert("schema_version", encode(&1u64).as_slice())
                .unwrap();
        });
    }
    let store = Store::open(&path).unwrap();
    let r = store.begin_read().unwrap();
    let left: Vec<String> = r
        .list_multimap_tables()
        .unwrap()
        .map(|t| t.name().to_string())
        .collect();
    assert!(left.is_empty(), "{left:?}");
    let version: u64 = decode(
        "",
        r.open_table(META)
            .unwrap()
            .get("schema_version")
            .unwrap()
            .unwrap()
            .value(),
    )
    .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    assert_eq!(store.dispute(&a).unwrap().village, "东河村");
    assert!(store.check().unwrap().faults.is_empty());
}

#[test]
fn a_bulk_write_stores_every_record_beside_its_summary() {
    let (_dir, store) = temp();
    let a = register(&store, "东河村");
    store
        .write("zb1", now(), |tx| {
            let mut many: Vec<Dispute> = (2..5003)
                .map(|n| {
                    let mut d = tx.dispute(&a).unwrap();
                    d.id = format!("MD-2026-{n:06}");
                    d.summary = format!("第 {n} 件");
                    d
                })
                .collect();
            tx.put_disputes(&mut many)?;
            tx.audit("导入台账", "", "");
            Ok::<_, StoreError>(())
        })
        .unwrap();
    let all = store.disputes().unwrap();
    assert_eq!(all.len(), 5002);
    assert_eq!(all[4000].summary, format!("第 {} 件", 4001));
    let report = store.check().unwrap();
    assert!(report.faults.is_empty(), "{:?}", report.faults);
}

#[test]
fn a_new_database_its_directories_and_its_backups_are_private() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let mode = |p: &Path| std::fs::metadata(p).unwrap().mode() & 0o7777;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("data/duty-desk/desk.redb");
    let store = Store::open(&db).unwrap();
    register(&store, "东河村");
    assert_eq!(mode(&db), 0o600);
    assert_eq!(mode(&dir.path().join("data")), 0o700);
    assert_eq!(mode(&dir.path().join("data/duty-desk")), 0o700);
    let (out, _) = store
        .backup(&dir.path().join("data/backups"), "备份.redb")
        .unwrap();
    assert_eq!(mode(&out), 0o600);
    assert_eq!(mode(&dir.path().join("data/backups")), 0o700);

    // The deployed layout: a setgid directory of the service group.
    let shared = dir.path().join("lib");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o2750)).unwrap();
    let served = Store::open(&shared.join("desk.redb")).unwrap();
    assert_eq!(mode(&shared.join("desk.redb")), 0o640);
    let (out, _) = served.backup(&shared.join("backups"), "b.redb").unwrap();
    assert_eq!(mode(&out), 0o640);
    // An existing file keeps the mode its admin gave it.
    drop(served);
    std::fs::set_permissions(
        shared.join("desk.redb"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    drop(Store::open(&shared.join("desk.redb")).unwrap());
    assert_eq!(mode(&shared.join("desk.redb")), 0o600);
}

#[test]
fn opening_a_version_2_file_stamps_every_record_in_one_audited_event() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.redb");
    {
        let store = Store::open(&path).unwrap();
        register(&store, "东河村");
        register(&store, "西岗村");
        // What a version 2 file holds: events without record hashes.
        let mut events = store.audit(0).unwrap();
        tamper(&store, |txn| {
            let mut prev = super::audit::GENESIS.to_string();
            let mut t = txn.open_table(AUDIT).unwrap();
            for e in &mut events {
                e.written.clear();
                e.prev = prev.clone();
                e.hash = e.compute_hash();
                prev = e.hash.clone();
                t.insert(e.seq, encode(e).as_slice()).unwrap();
            }
            drop(t);
            let mut meta = txn.open_table(META).unwrap();
            meta.insert(
                "audit_head",
                encode(&(events.len() as u64, prev)).as_slice(),
            )
            .unwrap();
            meta.insert("schema_version", encode(&2u64).as_slice())
                .unwrap();
        });
        let faults = store.check().unwrap().faults;
        assert_eq!(faults.len(), 2, "{faults:?}");
        assert!(faults[0].contains("在操作日志里没有来历"), "{faults:?}");
    }
    let store = Store::open(&path).unwrap();
    let events = store.audit(0).unwrap();
    let migration = events.last().unwrap();
    assert_eq!(
        (migration.actor.as_str(), migration.action.as_str()),
        ("desk", "迁移")
    );
    assert!(
        migration.detail.contains("从第 2 版升级到第 3 版"),
        "{}",
        migration.detail
    );
    assert_eq!(migration.written.len(), 2);
    assert!(store.check().unwrap().faults.is_empty());
}

#[test]
fn empty_and_foreign_files_are_refused_without_being_changed() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.redb");
    std::fs::write(&empty, b"").unwrap();
    let text = dir.path().join("notes.redb");
    std::fs::write(&text, "值班记录\n".repeat(100)).unwrap();
    let foreign = dir.path().join("other.redb");
    {
        let db = redb::Database::create(&foreign).unwrap();
        let w = db.begin_write().unwrap();
        w.open_table(redb::TableDefinition::<u64, u64>::new("things"))
            .unwrap()
            .insert(1, 2)
            .unwrap();
        w.commit().unwrap();
    }
    for path in [&empty, &text, &foreign] {
        let before = std::fs::read(path).unwrap();
        let err = Store::open(path).err().expect("refused");
        assert!(matches!(err, StoreError::Damaged(_)), "{err:?}");
        assert!(
            err.to_string().starts_with("不是值班台数据库或已损坏"),
            "{err}"
        );
        // redb itself rewrites the header of a redb file it opens; the
        // other files are left exactly as they were.
        if path != &foreign {
            assert!(std::fs::read(path).unwrap() == before, "{}", path.display());
        }
    }
    // The other program's table is still there, untouched by the desk.
    let db = redb::Database::open(&foreign).unwrap();
    let r = db.begin_read().unwrap();
    let t = r
        .open_table(redb::TableDefinition::<u64, u64>::new("things"))
        .unwrap();
    assert_eq!(t.get(1).unwrap().unwrap().value(), 2);
    assert!(r.list_tables().unwrap().count() == 1);
}

#[test]
fn a_store_opened_read_only_reads_refuses_writes_and_leaves_the_file_as_it_was() {
    let (dir, store) = temp();
    let id = register(&store, "东河村");
    drop(store);
    let path = dir.path().join("desk.redb");
    let before = std::fs::read(&path).unwrap();
    let ro = Store::open_read_only(&path).unwrap();
    assert_eq!(ro.dispute(&id).unwrap().village, "东河村");
    assert!(ro.check().unwrap().faults.is_empty());
    let refused = ro.write("zb1", now(), |tx| {
        tx.audit("测试", "", "");
        Ok::<_, StoreError>(())
    });
    assert!(matches!(refused, Err(StoreError::Db(m)) if m.contains("只读")));
    assert!(ro.save_draft("k", Some("草稿")).is_err());
    drop(ro);
    assert!(std::fs::read(&path).unwrap() == before, "the file changed");
    // Never created either.
    let missing = dir.path().join("none.redb");
    assert!(matches!(
        Store::open_read_only(&missing),
        Err(StoreError::NotFound(_))
    ));
    assert!(!missing.exists());
}
