//! Keys → actions, per layer, from TOML. The default is embedded, so the
//! binary works with no files installed; a user file overrides it key by key.
//! The help overlay and the hint bar are generated from the live keymap.

use std::collections::BTreeMap;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;

pub const DEFAULT: &str = include_str!("../../keymaps/default.toml");
pub const VIM: &str = include_str!("../../keymaps/vim.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Quit,
    Help,
    Command,
    Search,
    Refresh,
    Back,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    ToggleMark,
    NextView,
    PrevView,
    ViewMine,
    ViewInbox,
    ViewQueue,
    ViewSupervision,
    ViewWatchlist,
    ViewFollowups,
    ViewDashboard,
    ViewRollcall,
    Register,
    Triage,
    Assign,
    Accept,
    Reject,
    Package,
    Note,
    Supervise,
    Escalate,
    Close,
    Visit,
    Undo,
    Approve,
    Extend,
    AckAlert,
    /// Sorts the list by the next column.
    CycleSort,
    /// While filtering: search 在办 cases only, or 全部 (closed, archived).
    ToggleScope,
    Transfer,
    Pause,
    Resume,
    Review,
    OpenExisting,
    /// Fills the registration form's fields with what the text suggests.
    AcceptSuggestions,
    /// Goes to the registration form's 预警情形 and opens its choice, from
    /// any field (the officer types the text, then ticks in two keys).
    PickFlags,
    /// `y`: the text on screen to the clipboard (again: shown for the mouse).
    Copy,
    /// `Y`: the 日报 to the clipboard from any screen.
    CopyDaily,
    Confirm,
    Complete,
    NextField,
    PrevField,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Layer {
    Global,
    List,
    Case,
    Detail,
    Help,
    Command,
    Search,
    Form,
    Picker,
    Ask,
    Person,
    Rollcall,
}

impl Layer {
    pub const ALL: [Layer; 12] = [
        Layer::Global,
        Layer::List,
        Layer::Case,
        Layer::Person,
        Layer::Rollcall,
        Layer::Detail,
        Layer::Help,
        Layer::Command,
        Layer::Search,
        Layer::Form,
        Layer::Picker,
        Layer::Ask,
    ];

    fn key(self) -> &'static str {
        match self {
            Layer::Global => "global",
            Layer::List => "list",
            Layer::Case => "case",
            Layer::Detail => "detail",
            Layer::Help => "help",
            Layer::Command => "command",
            Layer::Search => "search",
            Layer::Form => "form",
            Layer::Picker => "picker",
            Layer::Ask => "ask",
            Layer::Person => "person",
            Layer::Rollcall => "rollcall",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Layer::Global => "全局",
            Layer::List => "列表",
            Layer::Case => "案件操作",
            Layer::Detail => "详情",
            Layer::Help => "帮助",
            Layer::Command => "命令行",
            Layer::Search => "筛选",
            Layer::Form => "表单",
            Layer::Picker => "选择",
            Layer::Ask => "确认",
            Layer::Person => "重点人员操作",
            Layer::Rollcall => "点名",
        }
    }
}

/// A key as written in the file: `q`, `?`, `Enter`, `Ctrl-c`, `Alt-x`, `F5`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

impl Key {
    pub fn parse(text: &str) -> Option<Key> {
        let mut ctrl = false;
        let mut alt = false;
        let mut rest = text;
        loop {
            if let Some(r) = rest
                .strip_prefix("Ctrl-")
                .or_else(|| rest.strip_prefix("C-"))
            {
                ctrl = true;
                rest = r;
            } else if let Some(r) = rest
                .strip_prefix("Alt-")
                .or_else(|| rest.strip_prefix("M-"))
            {
                alt = true;
                rest = r;
            } else {
                break;
            }
        }
        let code = match rest {
            "Enter" => KeyCode::Enter,
            "Esc" => KeyCode::Esc,
            "Tab" => KeyCode::Tab,
            "BackTab" | "Shift-Tab" => KeyCode::BackTab,
            "Space" => KeyCode::Char(' '),
            "Backspace" => KeyCode::Backspace,
            "Delete" => KeyCode::Delete,
            "Up" => KeyCode::Up,
            "Down" => KeyCode::Down,
            "Left" => KeyCode::Left,
            "Right" => KeyCode::Right,
            "PageUp" => KeyCode::PageUp,
            "PageDown" => KeyCode::PageDown,
            "Home" => KeyCode::Home,
            "End" => KeyCode::End,
            f if f.len() > 1 && f.starts_with('F') => {
                KeyCode::F(f[1..].parse().ok().filter(|n| (1..=12).contains(n))?)
            }
            c => {
                let mut chars = c.chars();
                let ch = chars.next()?;
                if chars.next().is_some() {
                    return None;
                }
                KeyCode::Char(if ctrl { ch.to_ascii_lowercase() } else { ch })
            }
        };
        Some(Key { code, ctrl, alt })
    }

    pub fn from_event(e: &KeyEvent) -> Key {
        let ctrl = e.modifiers.contains(KeyModifiers::CONTROL);
        let code = match e.code {
            KeyCode::Char(c) if ctrl => KeyCode::Char(c.to_ascii_lowercase()),
            other => other,
        };
        Key {
            code,
            ctrl,
            alt: e.modifiers.contains(KeyModifiers::ALT),
        }
    }

    /// How the key is shown in the hint bar and the help.
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Enter => "Enter".to_string(),
            KeyCode::Esc => "Esc".to_string(),
            KeyCode::Tab => "Tab".to_string(),
            KeyCode::BackTab => "Shift-Tab".to_string(),
            KeyCode::Char(' ') => "空格".to_string(),
            KeyCode::Backspace => "退格".to_string(),
            KeyCode::Delete => "Del".to_string(),
            KeyCode::Up => "↑".to_string(),
            KeyCode::Down => "↓".to_string(),
            KeyCode::Left => "←".to_string(),
            KeyCode::Right => "→".to_string(),
            KeyCode::PageUp => "PgUp".to_string(),
            KeyCode::PageDown => "PgDn".to_string(),
            KeyCode::Home => "Home".to_string(),
            KeyCode::End => "End".to_string(),
            KeyCode::F(n) => format!("F{n}"),
            KeyCode::Char(c) if self.ctrl => c.to_ascii_uppercase().to_string(),
            KeyCode::Char(c) => c.to_string(),
            _ => "?".to_string(),
        };
        match (self.ctrl, self.alt) {
            (true, _) => format!("Ctrl-{base}"),
            (_, true) => format!("Alt-{base}"),
            _ => base,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub keys: Vec<Key>,
    pub action: Action,
    pub desc: String,
}

/// The live keymap: per layer, bindings in file order (for help and hints).
#[derive(Debug, Clone, PartialEq)]
pub struct Keymap {
    layers: BTreeMap<Layer, Vec<Binding>>,
}

#[derive(Deserialize)]
struct RawBinding {
    keys: Vec<toml::Spanned<String>>,
    action: toml::Spanned<String>,
    desc: String,
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Parses one keymap file. Errors name the line and the problem, in Chinese.
fn parse(text: &str) -> Result<BTreeMap<Layer, Vec<Binding>>, String> {
    let raw: BTreeMap<String, Vec<RawBinding>> = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(0);
        format!("第 {line} 行格式有误：{}", e.message().trim())
    })?;
    let mut out = BTreeMap::new();
    for (name, bindings) in raw {
        let layer = Layer::ALL
            .iter()
            .copied()
            .find(|l| l.key() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = Layer::ALL.iter().map(|l| l.key()).collect();
                format!("没有“{name}”这一层，可用：{}", names.join("、"))
            })?;
        let mut seen: std::collections::HashMap<Key, (Action, usize)> =
            std::collections::HashMap::new();
        let mut list = Vec::new();
        for b in bindings {
            let line = line_of(text, b.action.span().start);
            let action_name = b.action.get_ref();
            let action = Action::deserialize(serde::de::value::StrDeserializer::<
                serde::de::value::Error,
            >::new(action_name))
            .map_err(|_| format!("第 {line} 行：没有“{action_name}”这个动作"))?;
            let mut keys = Vec::new();
            for k in &b.keys {
                let kline = line_of(text, k.span().start);
                let key = Key::parse(k.get_ref())
                    .ok_or_else(|| format!("第 {kline} 行：看不懂按键“{}”", k.get_ref()))?;
                if let Some((other, at)) = seen.get(&key) {
                    if *other != action {
                        return Err(format!(
                            "第 {kline} 行：{}层的按键“{}”同时绑定了“{}”（第 {at} 行）和“{}”",
                            layer.label(),
                            key.label(),
                            action_label(*other),
                            b.desc
                        ));
                    }
                }
                seen.insert(key, (action, kline));
                keys.push(key);
            }
            if keys.is_empty() {
                return Err(format!("第 {line} 行：“{}”没有按键", b.desc));
            }
            list.push(Binding {
                keys,
                action,
                desc: b.desc,
            });
        }
        out.insert(layer, list);
    }
    Ok(out)
}

fn action_label(a: Action) -> String {
    format!("{a:?}")
}

impl Keymap {
    pub fn default_map() -> Keymap {
        Keymap {
            layers: parse(DEFAULT).expect("the embedded default keymap is valid"),
        }
    }

    /// The default with `user` merged over it key by key: a key the user binds
    /// in a layer replaces the default's binding of that key in that layer.
    pub fn with_overrides(user: &str) -> Result<Keymap, String> {
        let mut map = Keymap::default_map();
        for (layer, bindings) in parse(user)? {
            let list = map.layers.entry(layer).or_default();
            for b in bindings {
                for existing in list.iter_mut() {
                    existing.keys.retain(|k| !b.keys.contains(k));
                }
                // An action the layer has keeps its place in the hint bar,
                // now shown with the officer's key first.
                match list.iter_mut().find(|x| x.action == b.action) {
                    Some(same) => {
                        let mut keys = b.keys;
                        keys.append(&mut same.keys);
                        same.keys = keys;
                        same.desc = b.desc;
                    }
                    None => list.push(b),
                }
                list.retain(|x| !x.keys.is_empty());
            }
        }
        Ok(map)
    }

    /// Loads `--keymap` (a file, or `vim` for the embedded preset), else the
    /// user's file if present. A bad file is reported and the default used.
    pub fn load(flag: Option<&str>) -> (Keymap, Option<String>) {
        let (name, text) = match flag {
            Some("vim") => ("vim".to_string(), Some(VIM.to_string())),
            Some(path) => (
                path.to_string(),
                std::fs::read_to_string(path)
                    .map_err(|e| e.to_string())
                    .ok(),
            ),
            None => {
                let path = user_keymap_path();
                match std::fs::read_to_string(&path) {
                    Ok(t) => (path.display().to_string(), Some(t)),
                    Err(_) => return (Keymap::default_map(), None),
                }
            }
        };
        let Some(text) = text else {
            return (
                Keymap::default_map(),
                Some(format!("读不到键位文件，已用默认键位（{name}）")),
            );
        };
        match Keymap::with_overrides(&text) {
            Ok(map) => (map, None),
            Err(e) => (
                Keymap::default_map(),
                Some(format!("键位文件有误，已用默认键位：{e}（{name}）")),
            ),
        }
    }

    /// The action bound to `key` in the first of `layers` that binds it.
    pub fn lookup(&self, layers: &[Layer], key: &Key) -> Option<Action> {
        layers.iter().find_map(|l| {
            self.layers
                .get(l)?
                .iter()
                .find(|b| b.keys.contains(key))
                .map(|b| b.action)
        })
    }

    /// The first key of `action` in `layer`, as the officer presses it.
    pub fn key_label(&self, layer: Layer, action: Action) -> Option<String> {
        self.bindings(layer)
            .iter()
            .find(|b| b.action == action)
            .and_then(|b| b.keys.first())
            .map(|k| k.label())
    }

    pub fn bindings(&self, layer: Layer) -> &[Binding] {
        self.layers.get(&layer).map(|v| v.as_slice()).unwrap_or(&[])
    }

    /// "key 说明" pairs for the hint bar: help first, then the layers' own
    /// actions in order. Cursor movement and view numbers are left out of a
    /// list's hints: the arrows are obvious and the tabs show the numbers.
    pub fn hints(&self, layers: &[Layer]) -> Vec<(Action, String, String)> {
        use Action as A;
        let modal = matches!(
            layers.first(),
            Some(
                Layer::Help
                    | Layer::Command
                    | Layer::Search
                    | Layer::Form
                    | Layer::Picker
                    | Layer::Ask
            )
        );
        let obvious = |a: Action| {
            !modal
                && matches!(
                    a,
                    A::Up
                        | A::Down
                        | A::PageUp
                        | A::PageDown
                        | A::Top
                        | A::Bottom
                        | A::NextView
                        | A::PrevView
                        | A::ViewMine
                        | A::ViewInbox
                        | A::ViewQueue
                        | A::ViewSupervision
                        | A::ViewWatchlist
                        | A::ViewFollowups
                        | A::ViewDashboard
                        | A::ViewRollcall
                        // In the help (?), not worth the hint bar's room.
                        | A::CycleSort
                )
        };
        let all: Vec<&Binding> = layers.iter().flat_map(|l| self.bindings(*l)).collect();
        let help = all.iter().filter(|b| b.action == A::Help);
        let rest = all
            .iter()
            .filter(|b| b.action != A::Help && !obvious(b.action));
        help.chain(rest)
            .map(|b| (b.action, b.keys[0].label(), b.desc.clone()))
            .collect()
    }
}

fn user_keymap_path() -> std::path::PathBuf {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".config")
        });
    base.join("duty-desk").join("keymap.toml")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Key {
        Key::parse(s).unwrap()
    }

    #[test]
    fn the_default_has_every_required_action_with_chinese_descriptions() {
        let map = Keymap::default_map();
        let all: Vec<Action> = Layer::ALL
            .iter()
            .flat_map(|l| map.bindings(*l))
            .map(|b| b.action)
            .collect();
        use Action as A;
        for a in [
            A::Register,
            A::Triage,
            A::Assign,
            A::Accept,
            A::Reject,
            A::Package,
            A::Note,
            A::Supervise,
            A::Escalate,
            A::Close,
            A::Visit,
            A::Undo,
            A::Search,
            A::Command,
            A::Help,
            A::Quit,
            A::Refresh,
        ] {
            assert!(all.contains(&a), "{a:?} unbound");
        }
        for l in Layer::ALL {
            for b in map.bindings(l) {
                assert!(
                    b.desc
                        .chars()
                        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                    "{:?} desc {}",
                    b.action,
                    b.desc
                );
            }
        }
        assert_eq!(
            map.lookup(&[Layer::List, Layer::Global], &key("q")),
            Some(A::Quit)
        );
        assert_eq!(
            map.lookup(&[Layer::List, Layer::Global], &key("Ctrl-c")),
            Some(A::Quit)
        );
        assert_eq!(
            map.lookup(&[Layer::Detail, Layer::Case, Layer::Global], &key("a")),
            Some(A::Assign)
        );
    }

    #[test]
    fn a_user_file_overrides_key_by_key() {
        let map = Keymap::with_overrides("list = [ { keys = [\"j\"], action = \"down\", desc = \"下移\" }, { keys = [\"Enter\"], action = \"toggle_mark\", desc = \"标记\" } ]").unwrap();
        let layers = [Layer::List, Layer::Global];
        assert_eq!(map.lookup(&layers, &key("j")), Some(Action::Down));
        assert_eq!(
            map.lookup(&layers, &key("Down")),
            Some(Action::Down),
            "other keys keep their default"
        );
        assert_eq!(map.lookup(&layers, &key("Enter")), Some(Action::ToggleMark));
        assert!(
            !map.bindings(Layer::List)
                .iter()
                .any(|b| b.action == Action::Open),
            "open lost its only key"
        );
        let vim = Keymap::with_overrides(VIM).unwrap();
        assert_eq!(
            vim.lookup(&[Layer::Case], &key("E")),
            Some(Action::Escalate)
        );
        assert_eq!(vim.lookup(&[Layer::List], &key("k")), Some(Action::Up));
        // Accepting the text's suggestions: F4 everywhere, Ctrl-y in vim too.
        for k in ["F4", "Ctrl-y"] {
            assert_eq!(
                vim.lookup(&[Layer::Form], &key(k)),
                Some(Action::AcceptSuggestions)
            );
        }
        let default = Keymap::default_map();
        assert_eq!(
            default.lookup(&[Layer::Form], &key("F4")),
            Some(Action::AcceptSuggestions)
        );
        // 登记 moved to F2 keeps its place in the hint bar, under its new key.
        let f2 = Keymap::with_overrides(
            "case = [ { keys = [\"F2\"], action = \"register\", desc = \"登记\" } ]",
        )
        .unwrap();
        let at = |m: &Keymap| {
            m.hints(&[Layer::List, Layer::Case, Layer::Global])
                .iter()
                .position(|(a, _, _)| *a == Action::Register)
        };
        assert_eq!(at(&f2), at(&default));
        assert_eq!(
            f2.key_label(Layer::Case, Action::Register).as_deref(),
            Some("F2")
        );
        assert_eq!(f2.lookup(&[Layer::Case], &key("n")), Some(Action::Register));
    }

    #[test]
    fn bad_files_name_the_line_and_the_problem() {
        let err = Keymap::with_overrides(
            "list = [\n  { keys = [\"x\"], action = \"fly\", desc = \"飞\" },\n]",
        )
        .unwrap_err();
        assert_eq!(err, "第 2 行：没有“fly”这个动作");
        let err = Keymap::with_overrides(
            "list = [\n { keys = [\"Hyper-x\"], action = \"up\", desc = \"上\" } ]",
        )
        .unwrap_err();
        assert_eq!(err, "第 2 行：看不懂按键“Hyper-x”");
        let err = Keymap::with_overrides("list = [\n { keys = [\"x\"], action = \"up\", desc = \"上移\" },\n { keys = [\"x\"], action = \"down\", desc = \"下移\" },\n]").unwrap_err();
        assert!(
            err.starts_with("第 3 行：列表层的按键“x”同时绑定了"),
            "{err}"
        );
        let err = Keymap::with_overrides("list = [ { keys = [\"x\"] ").unwrap_err();
        assert!(err.starts_with("第 1 行格式有误"), "{err}");
        let err = Keymap::with_overrides("sidebar = []").unwrap_err();
        assert!(err.starts_with("没有“sidebar”这一层"), "{err}");
        let (map, warning) = Keymap::load(Some("/nonexistent/keymap.toml"));
        assert_eq!(map, Keymap::default_map());
        assert!(warning.unwrap().contains("已用默认键位"));
    }
}
