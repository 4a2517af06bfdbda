//! Party names: "张某与李某因…", "王某借给赵某…", "刘某某反映…".
//! Ledgers mostly write 姓+某; a full name is taken only beside a joining
//! word, where the surname list and a stop list keep common words out.

/// Common single-character surnames (the top of the national list).
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董\
袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯\
龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹\
申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍\
华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿\
桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝";

/// Words that join two parties or introduce one who speaks.
const JOINS_BETWEEN: &[&str] = &[
    "与", "和", "同", "跟", "借给", "欠", "向", "把", "将", "打伤", "殴打", "、", "及",
];

/// Words that name a party's side, longest first ("另一方" before "一方").
const ROLE_WORDS: &[(&str, PartyRole)] = &[
    ("被申请人", PartyRole::Respondent),
    ("被申请方", PartyRole::Respondent),
    ("申请人", PartyRole::Applicant),
    ("申请方", PartyRole::Applicant),
    ("另一方", PartyRole::Respondent),
    ("一方", PartyRole::Applicant),
    ("被告", PartyRole::Respondent),
    ("原告", PartyRole::Applicant),
];
const JOINS_SPEAKER: &[&str] = &["反映", "称", "诉称", "来电", "来访", "投诉", "报称", "举报"];

use crate::domain::lists::PartyRole;

/// Characters that end a full name when read forward after a joining word.
const NAME_ENDS: &str = "因就的在等家之发于对及夫妻父母儿女子兄弟姐妹户，。、；：,.;:（(）)";

/// Also end a name read forward: a count or a household after it
/// ("王秀英两户").
const FOLLOW_ENDS: &str = "两二三四五六七八九十几多";

/// Also end a name read after a role word ("申请人张建国与…", "一方王小明称").
const AFTER_ROLE_ENDS: &str = "与和同跟称诉反系";

/// Words that look like a surname plus a character but are not names.
const NOT_NAMES: &[&str] = &[
    "于是",
    "方面",
    "高速",
    "金额",
    "钱款",
    "万元",
    "常年",
    "向其",
    "任何",
    "程序",
    "马路",
    "江边",
    "林地",
    "田地",
    "田间",
    "白天",
    "何时",
    "余款",
    "夏天",
    "顾客",
    "施工",
    "施工方",
    "安置",
    "安全",
    "华为",
    "明确",
    "明显",
    "时间",
    "时候",
    "房屋",
    "房子",
    "房产",
    "车辆",
    "车主",
    "路边",
    "路口",
    "关系",
    "管理",
    "单位",
    "商户",
    "商家",
    "和解",
    "同意",
    "同村",
    "同组",
    "司机",
    "文件",
    "成员",
    "宁愿",
    "全部",
    "全家",
    "黎明",
    "连续",
    "包工头",
    "包工",
    "工资",
    "项目",
    "党员",
    "应当",
    "应该",
    "齐心",
    "常住",
    "边界",
    "边上",
    "左右",
    "毕业",
    "尚未",
    "武力",
    "季度",
    "景区",
    "周边",
    "周围",
    "高利",
    "雷同",
    "古树",
    "石头",
    "石料",
    "苗木",
    "谷子",
    "卫生",
    "卫生院",
    "师傅",
    "沙子",
    "龙头",
    "农户",
    "农民",
    "农田",
    "农药",
    "解决",
    "费用",
    "和好",
    "柴草",
    "杨树",
    "黄昏",
];

fn is_surname(c: char) -> bool {
    SURNAMES.contains(c)
}

fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// A party read from the text: the name, the side when the text says it,
/// and the words that gave them.
pub struct Found {
    pub name: String,
    pub role: Option<PartyRole>,
    pub words: String,
}

/// Party names in order of first mention, without repeats, each with the
/// side its role word gives ("申请人张某" → 申请方).
pub fn parties(text: &str) -> Vec<Found> {
    let chars: Vec<char> = text.chars().collect();
    let mut found: Vec<Found> = names(text)
        .into_iter()
        .map(|(name, words)| Found {
            name,
            role: None,
            words,
        })
        .collect();
    for (at, role, len) in role_words(&chars) {
        let after = at + len;
        let name = found.iter_mut().find(|f| {
            let n: Vec<char> = f.name.chars().collect();
            chars.get(after..after + n.len()) == Some(&n[..])
        });
        match name {
            Some(f) => {
                if f.role.is_none() {
                    f.role = Some(role);
                    f.words = chars[at..after].iter().collect::<String>() + &f.name;
                }
            }
            None => {
                if let Some(end) = name_after_role(&chars, after) {
                    let name: String = chars[after..end].iter().collect();
                    if !found.iter().any(|f| f.name == name) {
                        let words = chars[at..end].iter().collect();
                        let first = text.find(&name).unwrap_or(usize::MAX);
                        let i = found
                            .iter()
                            .position(|f| text.find(&f.name).unwrap_or(0) > first)
                            .unwrap_or(found.len());
                        found.insert(
                            i,
                            Found {
                                name,
                                role: Some(role),
                                words,
                            },
                        );
                    }
                }
            }
        }
    }
    found
}

/// Every role word: (char index, role, length in chars).
fn role_words(chars: &[char]) -> Vec<(usize, PartyRole, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let hit = ROLE_WORDS.iter().find(|(w, _)| {
            let w: Vec<char> = w.chars().collect();
            chars.get(i..i + w.len()) == Some(&w[..])
        });
        match hit {
            Some((w, role)) => {
                let len = w.chars().count();
                out.push((i, *role, len));
                i += len;
            }
            None => i += 1,
        }
    }
    out
}

/// A full name right after a role word.
fn name_after_role(chars: &[char], start: usize) -> Option<usize> {
    [3, 2].into_iter().find_map(|len| {
        let end = start + len;
        let name = chars.get(start..end)?;
        let stop = chars
            .get(end)
            .is_none_or(|c| NAME_ENDS.contains(*c) || AFTER_ROLE_ENDS.contains(*c) || !is_han(*c));
        (plausible(name) && !name.contains(&'某') && stop).then_some(end)
    })
}

/// Names in order of first mention, without repeats, with their words.
fn names(text: &str) -> Vec<(String, String)> {
    let chars: Vec<char> = text.chars().collect();
    let mut found: Vec<(usize, String, String)> = Vec::new();
    let mut push = |at: usize, name: String, because: String| {
        if !found.iter().any(|(_, n, _)| *n == name) {
            found.push((at, name, because));
        }
    };
    for (at, len) in mou_names(&chars) {
        let name: String = chars[at..at + len].iter().collect();
        push(at, name.clone(), name);
    }
    for (at, name, because) in joined_names(&chars) {
        push(at, name, because);
    }
    found.sort_by_key(|(at, _, _)| *at);
    found.into_iter().map(|(_, n, b)| (n, b)).collect()
}

/// Every 姓+某 name: "张某", "李某某", "王某甲".
fn mou_names(chars: &[char]) -> Vec<(usize, usize)> {
    let mut names = Vec::new();
    let mut i = 0;
    while i + 1 < chars.len() {
        if is_surname(chars[i]) && chars[i + 1] == '某' && (i == 0 || chars[i - 1] != '某') {
            let len = match chars.get(i + 2) {
                Some('某' | '甲' | '乙' | '丙' | '丁') => 3,
                _ => 2,
            };
            names.push((i, len));
            i += len;
        } else {
            i += 1;
        }
    }
    names
}

/// Full names beside a joining word: "张建国与李红梅因…", "王小明反映…".
fn joined_names(chars: &[char]) -> Vec<(usize, String, String)> {
    let text: String = chars.iter().collect();
    let mut names = Vec::new();
    for join in JOINS_BETWEEN.iter().chain(JOINS_SPEAKER) {
        for (byte_at, _) in text.match_indices(join) {
            let at = text[..byte_at].chars().count();
            let join_len = join.chars().count();
            if let Some(start) = name_before(chars, at) {
                let name: String = chars[start..at].iter().collect();
                names.push((start, name.clone(), format!("{name}{join}")));
            }
            if JOINS_BETWEEN.contains(join) {
                if let Some(end) = name_after(chars, at + join_len) {
                    let name: String = chars[at + join_len..end].iter().collect();
                    names.push((at + join_len, name.clone(), format!("{join}{name}")));
                }
            }
        }
    }
    names
}

fn plausible(name: &[char]) -> bool {
    let word: String = name.iter().collect();
    is_surname(name[0])
        && name.iter().all(|c| is_han(*c))
        && name[1..].iter().all(|c| !NAME_ENDS.contains(*c))
        && !name[1..].contains(&'某')
        && !NOT_NAMES.iter().any(|w| word.starts_with(w))
}

/// A 2–3 character name ending right before char index `at`, starting at a
/// clause edge or after a title word ("村民张建国").
fn name_before(chars: &[char], at: usize) -> Option<usize> {
    for len in [3, 2] {
        let Some(start) = at.checked_sub(len) else {
            continue;
        };
        let name = &chars[start..at];
        if name.contains(&'某') || !plausible(name) {
            continue;
        }
        let before: String = chars[start.saturating_sub(2)..start].iter().collect();
        let edge = start == 0
            || !is_han(chars[start - 1])
            || [
                "村民", "居民", "群众", "男子", "女子", "业主", "工人", "老人",
            ]
            .contains(&before.as_str())
            || chars[start - 1] == '民';
        if edge {
            return Some(start);
        }
    }
    None
}

/// A 2–3 character name starting at `start`, ended by a stop character.
fn name_after(chars: &[char], start: usize) -> Option<usize> {
    for len in [3, 2] {
        let end = start + len;
        let Some(name) = chars.get(start..end) else {
            continue;
        };
        if name.contains(&'某') || !plausible(name) {
            continue;
        }
        let stop = chars
            .get(end)
            .is_none_or(|c| NAME_ENDS.contains(*c) || FOLLOW_ENDS.contains(*c) || !is_han(*c));
        if stop {
            return Some(end);
        }
    }
    None
}
