//! A one-line text field. The caret is a char index (never a byte index), and
//! its screen column is the display width of the chars before it, so the real
//! terminal cursor — and an input method's candidate window — land right.

use unicode_width::UnicodeWidthChar;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Input {
    chars: Vec<char>,
    caret: usize,
}

impl Input {
    pub fn with_text(text: &str) -> Input {
        let chars: Vec<char> = text.chars().collect();
        Input {
            caret: chars.len(),
            chars,
        }
    }

    pub fn text(&self) -> String {
        self.chars.iter().collect()
    }

    pub fn is_empty(&self) -> bool {
        self.chars.is_empty()
    }

    pub fn caret(&self) -> usize {
        self.caret
    }

    /// Display columns before the caret.
    pub fn caret_column(&self) -> u16 {
        self.chars[..self.caret]
            .iter()
            .map(|c| c.width().unwrap_or(0) as u16)
            .sum()
    }

    /// Inserts typed text; control and escape characters never enter a field.
    pub fn insert(&mut self, c: char) {
        if c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') {
            return;
        }
        self.chars.insert(self.caret, c);
        self.caret += 1;
    }

    /// A line break, for multi-line fields (typed text never brings one).
    pub fn newline(&mut self) {
        self.chars.insert(self.caret, '\n');
        self.caret += 1;
    }

    /// Line and display column of the caret in a multi-line field.
    pub fn caret_line_column(&self) -> (u16, u16) {
        let before = &self.chars[..self.caret];
        let line = before.iter().filter(|c| **c == '\n').count() as u16;
        let start = before.iter().rposition(|c| *c == '\n').map_or(0, |i| i + 1);
        let column = before[start..]
            .iter()
            .map(|c| c.width().unwrap_or(0) as u16)
            .sum();
        (line, column)
    }

    pub fn backspace(&mut self) {
        if self.caret > 0 {
            self.caret -= 1;
            self.chars.remove(self.caret);
        }
    }

    pub fn delete(&mut self) {
        if self.caret < self.chars.len() {
            self.chars.remove(self.caret);
        }
    }

    pub fn left(&mut self) {
        self.caret = self.caret.saturating_sub(1);
    }

    pub fn right(&mut self) {
        self.caret = (self.caret + 1).min(self.chars.len());
    }

    pub fn home(&mut self) {
        self.caret = 0;
    }

    pub fn end(&mut self) {
        self.caret = self.chars.len();
    }

    pub fn set(&mut self, text: &str) {
        *self = Input::with_text(text);
    }

    /// Editing keys common to every field; returns whether the key was used.
    pub fn edit(&mut self, key: &ratatui::crossterm::event::KeyEvent) -> bool {
        use ratatui::crossterm::event::{KeyCode, KeyModifiers};
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('u') if ctrl => {
                self.chars.drain(..self.caret);
                self.caret = 0;
            }
            KeyCode::Char('a') if ctrl => self.home(),
            KeyCode::Char('e') if ctrl => self.end(),
            KeyCode::Char(c) if !ctrl => self.insert(c),
            KeyCode::Backspace => self.backspace(),
            KeyCode::Delete => self.delete(),
            KeyCode::Left => self.left(),
            KeyCode::Right => self.right(),
            KeyCode::Home => self.home(),
            KeyCode::End => self.end(),
            _ => return false,
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_is_a_char_index_and_columns_count_display_width() {
        let mut i = Input::default();
        for c in "赵庄a村".chars() {
            i.insert(c);
        }
        assert_eq!(i.caret(), 4);
        assert_eq!(i.caret_column(), 7);
        i.left();
        i.left();
        assert_eq!(i.caret_column(), 4);
        i.backspace();
        assert_eq!(i.text(), "赵a村");
        i.insert('\u{1b}');
        i.insert('\u{202e}');
        assert_eq!(i.text(), "赵a村");
        i.end();
        i.delete();
        assert_eq!(i.caret(), 3);
    }
}
