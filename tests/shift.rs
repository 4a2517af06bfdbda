//! A whole shift, played as the officers play it: four accounts log in
//! through a real sshd on 127.0.0.1, each in an 80×24 terminal, and work one
//! case from the phone call to the visit. Only keys and the screen: no call
//! into the desk's code. What each step must show is what an officer reads.

mod common;

use std::process::Command;

use common::server::{account, can_make_accounts, Account, Server};
use common::sshd::{start_sshd, tty_login};
use common::tmux::Tmux;

/// One officer's terminal, counting the keys pressed (typed text apart).
struct Desk {
    t: Tmux,
    keys: usize,
}

impl Desk {
    /// Logs in; a new shift opens on the handover (not for a 责任人), read
    /// and put away as an officer does before starting.
    fn log_in(sshd: &common::sshd::Sshd, who: &Account, desk: &str, name: &str) -> Desk {
        let t = Tmux::run((80, 24), &tty_login(sshd, &who.login, desk));
        let d = Desk { t, keys: 0 };
        if !name.contains("责任人") {
            d.t.past_handover();
        }
        d.wait(name);
        d.wait("已连接");
        d
    }

    fn press(&mut self, keys: &[&str]) -> &mut Self {
        self.keys += keys.len();
        self.t.keys(keys);
        self
    }

    fn text(&mut self, text: &str) -> &mut Self {
        self.t.text(text);
        self
    }

    fn wait(&self, text: &str) -> String {
        self.t.wait_for(text)
    }

    /// The case's detail, by `:go`.
    fn open(&mut self, id: &str) -> &mut Self {
        self.press(&["Escape", "Escape", ":"]);
        self.text(&format!("go {id}"));
        self.press(&["Enter"]);
        self.wait(&format!("{id} 详情"));
        self
    }
}

fn roster(s: &Server, a: &Account, name: &str, unit: &str, role: &str) {
    let out = s
        .desk(&[
            "roster", "add", &a.login, "--name", name, "--unit", unit, "--role", role,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn day(days: u64) -> String {
    (chrono::Local::now().date_naive() + chrono::Days::new(days)).to_string()
}

#[test]
fn a_shift_over_ssh_at_80x24_from_the_call_to_the_visit() {
    if !can_make_accounts() {
        return;
    }
    let (zb_a, tj_a, ld_a, ad_a) = (
        account("desktest_szb"),
        account("desktest_stj"),
        account("desktest_sld"),
        account("desktest_sad"),
    );
    let mut s = Server::start();
    roster(&s, &zb_a, "宋雪梅", "综治中心", "值班员");
    roster(&s, &tj_a, "冯志强", "司法所", "责任人");
    roster(&s, &ld_a, "郑国庆", "镇党委", "领导");
    roster(&s, &ad_a, "林晓燕", "综治中心", "管理员");
    s.share_with_group(zb_a.gid);
    let desk = s.bin().display().to_string();
    let logins = [&*zb_a.login, &tj_a.login, &ld_a.login, &ad_a.login];
    let sshd = start_sshd(&s, &logins, ("nobody", "true"));
    let mut zb = Desk::log_in(&sshd, &zb_a, &desk, "宋雪梅（值班员）");
    let mut tj = Desk::log_in(&sshd, &tj_a, &desk, "冯志强（责任人）");
    let mut ld = Desk::log_in(&sshd, &ld_a, &desk, "郑国庆（领导）");
    let mut ad = Desk::log_in(&sshd, &ad_a, &desk, "林晓燕（管理员）");

    // 1. A phone call: two parties with phones, two warning signs the
    // officer heard that the text does not say. The README's 20 keys.
    zb.keys = 0;
    zb.press(&["n"]);
    zb.wait("登记矛盾纠纷");
    zb.press(&["d", "h", "Enter", "l", "d", "Enter"]);
    zb.text("两家因宅基地界址争执，对方扬言要拿刀砍人");
    zb.press(&["Tab", "Tab"]);
    zb.press(&["j", "y", "Space", "k", "n", "Enter"]);
    zb.text("王建国").press(&["Tab"]).text("19900001234");
    zb.press(&["Tab", "Tab"]).text("李秀兰").press(&["Tab"]);
    zb.text("19900005678").press(&["C-s"]);
    let done = zb.wait("已登记 MD-");
    assert_eq!(zb.keys, 20, "keys besides the text");
    let at = done.find("已登记 ").unwrap() + "已登记 ".len();
    let id: String = done[at..].chars().take("MD-2026-000001".len()).collect();

    // 2. The threat is in front of the other desks at once, no key pressed.
    ld.wait(&id);
    ad.wait(&id);

    // 3. 交办 on a case not yet triaged: 研判 first, then 交办, one flow.
    zb.open(&id).press(&["a"]);
    zb.wait("先研判，提交后接着交办");
    zb.text("高").press(&["Enter", "C-s"]);
    zb.wait("接着交办");
    // The person first: the unit follows from the roster.
    zb.text("冯志强").press(&["Enter"]);
    zb.wait("司法所");
    zb.press(&["Tab"]).text("郑国庆").press(&["Enter", "C-s"]);
    zb.wait("已交办");

    // 4. The 责任人 signs for it.
    tj.open(&id).press(&["s"]);
    tj.wait("已签收");

    // 5. 转办 to the centre, refused with a reason that reaches the sender.
    zb.press(&["m"]);
    zb.wait("转办理由");
    zb.text("综治中心")
        .press(&["Enter"])
        .text("林晓燕")
        .press(&["Enter"]);
    zb.text("涉及多个部门，请综治中心统筹").press(&["C-s"]);
    zb.wait("已转办");
    ad.open(&id).press(&["r"]);
    ad.wait("退回理由");
    ad.text("不属本单位职责，请司法所继续办理").press(&["C-s"]);
    ad.wait("已退回");
    zb.press(&["Escape", "Escape", "0"]);
    let mine = zb.wait("转办被退回（1）");
    assert!(mine.contains("退回理由：不属本单位"), "{mine}");

    // 6. 中止, asked by the 责任人, approved by the leader; then 恢复.
    tj.open(&id).press(&["z"]);
    tj.wait("中止理由");
    tj.text("当事人外出务工，春节后返乡").press(&["C-s"]);
    tj.wait("已申请中止，待牵头领导或值班员审批");
    tj.wait("中止申请中");
    ld.open(&id).press(&["o"]);
    ld.wait("审批意见");
    ld.press(&["C-s"]);
    ld.wait("已审批");
    tj.open(&id).press(&["Z"]);
    tj.wait("已恢复办理");

    // 7. 包案 by the leader, who is already chosen on the form.
    ld.open(&id).press(&["p"]);
    ld.wait("郑国庆（");
    ld.press(&["Tab", "Tab"]);
    ld.text(&format!("{} 召开联合调解会", day(2)));
    ld.press(&["Tab"]).text(&day(20)).press(&["C-s"]);
    ld.wait("已包案");

    // 8. 销号 asked by the 责任人, approved by the 包案领导.
    tj.open(&id).press(&["c"]);
    tj.wait("化解结果");
    tj.text("口头").press(&["Enter"]);
    tj.text("双方达成口头协议，界址重新划定").press(&["C-s"]);
    tj.wait("已提交销号");
    ld.open(&id).press(&["o"]);
    ld.wait("审批意见");
    ld.press(&["C-s"]);
    ld.wait("已审批");

    // 9. The visit.
    tj.open(&id).press(&["v"]);
    tj.wait("回访情况及所做工作");
    tj.press(&["Tab", "Tab", "Tab", "Tab"]);
    tj.text("电话回访双方，协议已履行，无反弹").press(&["C-s"]);
    tj.wait("已记录回访");

    // 10. The daily report, copied with one key for the WeChat group.
    let set = Command::new("tmux")
        .args(["-L", &zb.t.socket, "set", "-g", "set-clipboard", "on"])
        .status()
        .unwrap();
    assert!(set.success());
    zb.press(&["Escape", "Escape", "Y"]);
    zb.wait("日报已复制到剪贴板");
    let buffer = Command::new("tmux")
        .args(["-L", &zb.t.socket, "show-buffer"])
        .output()
        .unwrap();
    let copied = String::from_utf8_lossy(&buffer.stdout).to_string();
    assert!(
        copied.starts_with("【") && copied.contains("日报"),
        "{copied}"
    );

    // What the shift did is on the record, by name, in order.
    let log = s.desk(&["log"]).output().unwrap();
    let log = String::from_utf8_lossy(&log.stdout)
        .split(' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let mut at = 0;
    for step in [
        "宋雪梅 登记",
        "宋雪梅 研判",
        "宋雪梅 交办",
        "冯志强 签收",
        "宋雪梅 转办",
        "林晓燕 退回",
        "冯志强 中止",
        "郑国庆 审批",
        "冯志强 恢复办理",
        "郑国庆 包案",
        "冯志强 销号",
        "郑国庆 审批",
        "冯志强 回访",
    ] {
        let found = log[at..].find(step);
        assert!(
            found.is_some(),
            "no “{step}” after the earlier steps:\n{log}"
        );
        at += found.unwrap_or(0) + step.len();
    }
    let check = s.desk(&["check"]).output().unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    for d in [&zb, &tj, &ld, &ad] {
        d.t.keys(&["q"]);
    }
}
