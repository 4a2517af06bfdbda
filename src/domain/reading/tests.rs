use super::*;
use crate::domain::lists::DEFAULT_CATEGORIES;

fn categories() -> Vec<String> {
    DEFAULT_CATEGORIES.iter().map(|c| c.to_string()).collect()
}

fn reading(text: &str) -> Reading {
    read(text, &Phrases::builtin(), &categories())
}

fn flags(text: &str) -> Vec<&'static str> {
    reading(text)
        .flags
        .iter()
        .map(|f| f.value.label())
        .collect()
}

#[test]
fn a_threat_is_read_with_its_words() {
    let r = reading("村民张某与李某因宅基地边界问题发生争执，张某扬言要动刀，情绪激动");
    assert_eq!(r.category.as_ref().unwrap().value, "房屋宅基地");
    let threat = r
        .flags
        .iter()
        .find(|f| f.value == WarningFlag::ThreatExtreme)
        .unwrap();
    assert_eq!(threat.because, "扬言要动刀");
    let reasons: Vec<String> = r.reasons().iter().map(|r| r.to_string()).collect();
    assert!(
        reasons.contains(&"扬言要动刀 → 扬言极端".to_string()),
        "{reasons:?}"
    );
    assert!(flags("男方扬言要动刀").contains(&"民转刑倾向"));
    assert!(flags("男方扬言要动刀").contains(&"扬言极端"));
}

#[test]
fn negated_phrases_do_not_fire() {
    for text in [
        "双方情绪稳定，无过激言行",
        "经排查未发现当事人有扬言报复等过激行为",
        "没有民转刑倾向，暂无聚集苗头",
        "做好疏导工作，防止矛盾激化引发民转刑",
        "当事人表示不会再上访",
    ] {
        assert_eq!(flags(text), Vec::<&str>::new(), "{text}");
    }
}

#[test]
fn negation_stops_at_the_clause_and_at_turning_words() {
    assert!(flags("如无人处理就去喝农药").contains(&"扬言极端"));
    assert!(flags("工资无着落，扬言跳楼").contains(&"扬言极端"));
    assert!(flags("无过激言行，但其子扬言报复").contains(&"民转刑倾向"));
    assert!(flags("老板未支付工资，工人扬言跳楼").contains(&"扬言极端"));
    assert!(flags("张某称无论如何都要和他同归于尽").contains(&"扬言极端"));
    assert!(flags("李某说没有活路了只能喝农药").contains(&"扬言极端"));
}

#[test]
fn threats_to_petition_are_not_extreme() {
    let f = flags("王某扬言要到北京上访");
    assert!(!f.contains(&"扬言极端"), "{f:?}");
    assert!(f.contains(&"越级上访"), "{f:?}");
}

#[test]
fn people_in_numerals_and_words() {
    let people = |t: &str| reading(t).people.map(|p| (p.value, p.because));
    assert_eq!(people("拖欠工资3万元，涉及12人"), Some((12, "12人".into())));
    assert_eq!(
        people("三十多名工人到镇政府"),
        Some((30, "三十多名".into()))
    );
    assert_eq!(people("涉及二十余户村民"), Some((20, "二十余户".into())));
    assert_eq!(people("上百名群众聚集"), Some((100, "上百名".into())));
    assert_eq!(people("几十人围堵"), Some((20, "几十人".into())));
    assert_eq!(people("１２户反映"), Some((12, "12户".into())));
    assert_eq!(people("送至第一人民医院"), None);
    assert_eq!(people("欠款3个月未还"), None);
}

#[test]
fn many_people_may_mean_a_mass_incident() {
    let r = reading("涉及三十多名工人");
    let mass = r
        .flags
        .iter()
        .find(|f| f.value == WarningFlag::MassIncident)
        .unwrap();
    assert_eq!(mass.because, "三十多名");
    assert!(!flags("涉及5户").contains(&"可能引发群体性事件"));
}

#[test]
fn amounts_as_ledgers_write_them() {
    let amount = |t: &str| reading(t).amount_yuan.map(|a| (a.value, a.because));
    assert_eq!(
        amount("拖欠工资3万元，涉及12人"),
        Some((30_000, "3万元".into()))
    );
    assert_eq!(amount("借款12000元未还"), Some((12_000, "12000元".into())));
    assert_eq!(amount("欠1.5万"), Some((15_000, "1.5万".into())));
    assert_eq!(amount("欠款12,500元"), Some((12_500, "12,500元".into())));
    assert_eq!(amount("两万多元"), Some((20_000, "两万多元".into())));
    assert_eq!(amount("五千余元"), Some((5_000, "五千余元".into())));
    assert_eq!(amount("3万余元"), Some((30_000, "3万余元".into())));
    assert_eq!(
        amount("已付5000元，尚欠2.3万元"),
        Some((23_000, "2.3万元".into()))
    );
    assert_eq!(amount("流转土地1.2万亩"), None);
    assert_eq!(amount("给了3000块钱"), Some((3_000, "3000块钱".into())));
    assert_eq!(amount("院墙外一块空地"), None);
    assert_eq!(amount("2024年3月12日"), None);
}

#[test]
fn parties_beside_joining_words() {
    let names = |t: &str| -> Vec<String> {
        reading(t)
            .parties
            .into_iter()
            .map(|p| p.value.name)
            .collect()
    };
    assert_eq!(names("张某与李某因宅基地发生争执"), ["张某", "李某"]);
    assert_eq!(names("王某借给赵某某5万元"), ["王某", "赵某某"]);
    assert_eq!(names("村民刘某反映其邻居陈某乱堆柴草"), ["刘某", "陈某"]);
    assert_eq!(names("张建国与李红梅因彩礼发生纠纷"), ["张建国", "李红梅"]);
    assert_eq!(names("村民王小明反映路灯不亮"), ["王小明"]);
    assert_eq!(names("施工方与村民因占地发生争执"), Vec::<String>::new());
    assert_eq!(names("双方和解"), Vec::<String>::new());
}

#[test]
fn source_from_the_first_cue() {
    let source = |t: &str| reading(t).source.map(|s| s.value);
    assert_eq!(source("张某来电反映"), Some(Source::Call));
    assert_eq!(source("网格员上报：李某来电称"), Some(Source::GridReport));
    assert_eq!(source("县信访局转办件"), Some(Source::Petition));
    assert_eq!(source("群众来访"), Some(Source::Visit));
    assert_eq!(source("宅基地纠纷"), None);
}

#[test]
fn only_the_townships_categories_are_suggested() {
    let phrases = Phrases::builtin();
    let text = "公司拖欠工人工资3万元";
    assert_eq!(
        read(text, &phrases, &categories()).category.unwrap().value,
        "劳资/欠薪"
    );
    let only = vec!["涉企".to_string(), "其他".to_string()];
    assert_eq!(read(text, &phrases, &only).category.unwrap().value, "涉企");
    assert!(read("说不清", &phrases, &categories()).category.is_none());
}

#[test]
fn an_edited_phrase_file_replaces_the_builtin() {
    let phrases = Phrases::parse(
        "[flags.\"扬言极端\"]\ncues = [\"掀桌子\"]\n[categories.\"邻里\"]\ncues = [\"吵\"]\n",
    )
    .unwrap();
    let r = read("两家吵起来，扬言掀桌子", &phrases, &categories());
    assert_eq!(r.flag_values(), [WarningFlag::ThreatExtreme]);
    assert_eq!(r.category.unwrap().value, "邻里");
    let err = Phrases::parse("[flags.\"吓人\"]\ncues = []\n").unwrap_err();
    assert!(err.to_string().contains("吓人"), "{err}");
}

#[test]
fn the_builtin_file_names_real_flags_sources_and_categories() {
    let phrases = Phrases::builtin();
    assert_eq!(phrases.flags.len(), WarningFlag::ALL.len());
    for c in &phrases.categories {
        assert!(
            DEFAULT_CATEGORIES.contains(&c.label.as_str()),
            "{}",
            c.label
        );
        assert!(!c.cues.is_empty(), "{}", c.label);
    }
}

#[test]
fn odd_input_neither_panics_nor_matches_everything() {
    let r = reading(&"一万".repeat(20));
    assert!(r.amount_yuan.is_none());
    let r = reading(&format!("{}元", "九".repeat(40)));
    assert_eq!(r.amount_yuan.map(|a| a.value), Some(9));
    assert!(reading("").is_empty());
    let phrases = Phrases::parse("[flags.\"扬言极端\"]\ncues = [\"\", \" \", \"…\"]\n").unwrap();
    assert!(read("随便写点什么", &phrases, &categories())
        .flags
        .is_empty());
}

#[test]
fn a_cue_with_a_gap_quotes_the_words_between() {
    let r = reading("邻居扬言要把他家的车砸了");
    let crime = r
        .flags
        .iter()
        .find(|f| f.value == WarningFlag::CriminalTendency)
        .unwrap();
    assert_eq!(crime.because, "扬言要把他家的车砸");
    assert!(!flags("扬言要去县里上访，要求解决").contains(&"扬言极端"));
}

fn because(text: &str, flag: WarningFlag) -> Option<String> {
    reading(text)
        .flags
        .into_iter()
        .find(|f| f.value == flag)
        .map(|f| f.because)
}

#[test]
fn groups_squaring_up_are_read_without_the_word_for_it() {
    let text = "两个村民小组为放水各带了十几个人到渠边，拿着锄头对峙";
    let why = because(text, WarningFlag::MassIncident).expect("a mass incident");
    assert!(why.contains('…') && why.contains("对峙"), "{why}");
    assert!(because(
        "双方都叫来亲戚二十多人在巷口对骂",
        WarningFlag::MassIncident
    )
    .is_some());
    // Many people alone, or a quarrel alone, is not a mass incident.
    assert!(because(
        "涉及十二户村民的巷道通行问题，已开户主会",
        WarningFlag::MassIncident
    )
    .is_none());
    assert!(because("两家在巷口对骂", WarningFlag::MassIncident).is_none());
}

#[test]
fn a_fight_that_drew_blood_is_a_turn_to_crime_a_scraped_knee_is_not() {
    let why = because(
        "王某与李某因鸡吃菜干仗，王某头破血流送医院",
        WarningFlag::CriminalTendency,
    )
    .expect("violence with injury");
    assert!(why.starts_with("干仗…"), "{why}");
    assert!(because(
        "两个小学生课间推搡，一个擦破了膝盖",
        WarningFlag::CriminalTendency
    )
    .is_none());
    assert!(because(
        "电动车与三轮车相撞，一人受伤",
        WarningFlag::CriminalTendency
    )
    .is_none());
}

#[test]
fn a_threat_with_its_target_or_means_is_extreme() {
    assert!(because(
        "讨债的说再不还钱就让他一家过不成年",
        WarningFlag::ThreatExtreme
    )
    .is_some());
    assert!(because("她说离了就喝药死在他家门口", WarningFlag::ThreatExtreme).is_some());
}

#[test]
fn denied_or_reported_speech_raises_nothing() {
    for text in [
        "欠款人否认曾扬言报复，称只是想要回自己的钱",
        "网传两村要打群架，经核实不属实",
        "拆迁户说之前说要自焚是吓唬人的",
        "业主群里有人说要拉横幅，其他业主劝住了，没有人去",
    ] {
        let danger: Vec<_> = reading(text)
            .flag_values()
            .into_iter()
            .filter(|f| DANGER_FLAGS.contains(f))
            .collect();
        assert!(danger.is_empty(), "{text}: {danger:?}");
    }
}

#[test]
fn traditional_characters_read_as_simplified() {
    assert!(flags("兩家為排水溝打架，一人被鋤頭打傷住院").contains(&"民转刑倾向"));
    assert!(flags("婦女說丈夫再打她，她就喝農藥死給他看").contains(&"扬言极端"));
    let p = Phrases::builtin();
    assert_eq!(p.normalize("糾紛").len(), "纠纷".len());
    assert_eq!(p.normalize("糾紛"), "纠纷");
}

#[test]
fn an_edited_file_with_an_unknown_slot_is_refused() {
    let text = "[[combos]]\nflag = \"扬言极端\"\nall = [\"没有这组\"]\n";
    let err = Phrases::parse(text).unwrap_err();
    assert!(err.to_string().contains("没有这组"), "{err}");
}

#[test]
fn with_no_cue_the_model_names_its_ngrams() {
    let r = reading("楼上住户洗衣机漏水泡了楼下天花板");
    let c = r.category.expect("the model reads a category");
    assert_eq!(c.value, "物业");
    assert!(
        c.because.starts_with("字组 ") && c.because.contains("漏水"),
        "{}",
        c.because
    );
    // Without the model the phrase lists alone read nothing here.
    let mut lists_only = Phrases::builtin();
    lists_only.model = None;
    assert!(read(
        "楼上住户洗衣机漏水泡了楼下天花板",
        &lists_only,
        &categories()
    )
    .category
    .is_none());
}

#[test]
fn a_weak_word_does_not_decide_the_category() {
    let r = reading("老人称祖坟被推平了，说要死在挖机前面");
    assert_eq!(r.category.unwrap().value, "山林土地");
}

#[test]
fn every_named_party_is_read_with_the_side_the_text_gives() {
    let parties = |t: &str| -> Vec<String> {
        reading(t)
            .parties
            .into_iter()
            .map(|p| p.value.to_string())
            .collect()
    };
    assert_eq!(
        parties("申请人张建国与被申请人李红梅因宅基地发生纠纷"),
        ["张建国（申请方）", "李红梅（被申请方）"]
    );
    assert_eq!(
        parties("一方曹某反映另一方彭某家的狗多次咬伤其鸡鸭"),
        ["曹某（申请方）", "彭某（被申请方）"]
    );
    assert_eq!(
        parties("村民刘建国、王秀英两户因排水争执"),
        ["刘建国", "王秀英"]
    );
    assert_eq!(
        parties("陈某、黄某、周某三户共用一条排水沟"),
        ["陈某", "黄某", "周某"]
    );
    let r = reading("被申请人韩某在申请人唐某屋后挖地基");
    let because: Vec<&str> = r.parties.iter().map(|p| p.because.as_str()).collect();
    assert_eq!(because, ["被申请人韩某", "申请人唐某"]);
}

#[test]
fn a_surname_that_is_also_a_joining_character_still_names_a_party() {
    let names: Vec<String> = reading("何美玲与于振华因婚后财产分割发生纠纷")
        .parties
        .into_iter()
        .map(|p| p.value.name)
        .collect();
    assert_eq!(names, ["何美玲", "于振华"]);
}
