//! The terminal the desk draws on: crossterm's backend, but for `draw`.
//! ratatui's crossterm backend moves the cursor after every double-width
//! character (it expects the next cell one column on, and the diff skips
//! the column a wide character covers), so a screen of Chinese cost one
//! `ESC[r;cH` per character: about 70 % of a screen switch's bytes. Here the
//! cursor is known to stand after the character's full width, and a gap on
//! the same row is stepped over (`ESC[nC`) rather than moved to. Style
//! changes go out as one SGR sequence with the short colour codes
//! (`ESC[1;4;33m`), not one sequence per attribute and `38;5;n` colours.

use std::io::{self, Write};

use ratatui::backend::{Backend, ClearType, CrosstermBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::crossterm::cursor::{MoveRight, MoveTo};
use ratatui::crossterm::queue;
use ratatui::crossterm::style::Print;
use ratatui::layout::{Position, Size};
use ratatui::style::{Color, Modifier};
use unicode_width::UnicodeWidthStr;

pub struct DeskBackend<W: Write> {
    inner: CrosstermBackend<W>,
    /// The screen as ratatui last drew it (rows grow on demand): a short
    /// gap of unchanged cells is printed again from here when that is
    /// cheaper than stepping over it (a cleared Chinese row leaves a
    /// one-column gap after every character it erased).
    shadow: Vec<Vec<Cell>>,
}

impl<W: Write> DeskBackend<W> {
    pub fn new(writer: W) -> DeskBackend<W> {
        DeskBackend {
            inner: CrosstermBackend::new(writer),
            shadow: Vec::new(),
        }
    }

    fn remember(&mut self, x: u16, y: u16, cell: &Cell) {
        let (x, y) = (x as usize, y as usize);
        if self.shadow.len() <= y {
            self.shadow.resize_with(y + 1, Vec::new);
        }
        let row = &mut self.shadow[y];
        if row.len() <= x {
            row.resize_with(x + 1, Cell::default);
        }
        row[x] = cell.clone();
        // The columns a wide character hides are blank in ratatui's buffer
        // (`Buffer::set_stringn` resets them), so here too.
        let hidden = x + 1..x + cell.symbol().width();
        if row.len() < hidden.end {
            row.resize_with(hidden.end, Cell::default);
        }
        for c in &mut row[hidden] {
            *c = Cell::default();
        }
    }

    /// The unchanged cells from `from` to `to` on row `y`, when all are
    /// known, drawn in `style`, and end exactly at `to`.
    fn gap(&self, y: u16, from: u16, to: u16, style: (Color, Color, Modifier)) -> Option<String> {
        let row = self.shadow.get(y as usize)?;
        let mut text = String::new();
        let mut x = from;
        while x < to {
            let c = row.get(x as usize)?;
            let w = c.symbol().width() as u16;
            if w == 0 || (c.fg, c.bg, c.modifier) != style {
                return None;
            }
            text.push_str(c.symbol());
            x += w;
        }
        (x == to).then_some(text)
    }
}

impl<W: Write> Write for DeskBackend<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Write::flush(&mut self.inner)
    }
}

/// SGR codes for the attributes of `m`.
fn attribute_codes(m: Modifier) -> impl Iterator<Item = &'static str> {
    [
        (Modifier::BOLD, "1"),
        (Modifier::DIM, "2"),
        (Modifier::ITALIC, "3"),
        (Modifier::UNDERLINED, "4"),
        (Modifier::SLOW_BLINK, "5"),
        (Modifier::RAPID_BLINK, "6"),
        (Modifier::REVERSED, "7"),
        (Modifier::HIDDEN, "8"),
        (Modifier::CROSSED_OUT, "9"),
    ]
    .into_iter()
    .filter(move |(flag, _)| m.contains(*flag))
    .map(|(_, code)| code)
}

/// The SGR code for a colour: `base` 30 for the foreground, 40 for the
/// background (the short 16-colour codes, not `38;5;n`).
fn color_code(c: Color, base: u8) -> String {
    let short = |n: u8| (base + n).to_string();
    let bright = |n: u8| (base + 60 + n).to_string();
    match c {
        Color::Reset => short(9),
        Color::Black => short(0),
        Color::Red => short(1),
        Color::Green => short(2),
        Color::Yellow => short(3),
        Color::Blue => short(4),
        Color::Magenta => short(5),
        Color::Cyan => short(6),
        Color::Gray => short(7),
        Color::DarkGray => bright(0),
        Color::LightRed => bright(1),
        Color::LightGreen => bright(2),
        Color::LightYellow => bright(3),
        Color::LightBlue => bright(4),
        Color::LightMagenta => bright(5),
        Color::LightCyan => bright(6),
        Color::White => bright(7),
        Color::Indexed(i) => format!("{};5;{i}", base + 8),
        Color::Rgb(r, g, b) => format!("{};2;{r};{g};{b}", base + 8),
    }
}

impl<W: Write> Backend for DeskBackend<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let (mut fg, mut bg, mut modifier) = (Color::Reset, Color::Reset, Modifier::empty());
        // Where the cursor stands after the last character written.
        let mut at: Option<(u16, u16)> = None;
        for (x, y, cell) in content {
            match at {
                Some(here) if here == (x, y) => {}
                // On the same row: a short unchanged gap is printed again
                // (a byte a column), a longer one stepped over (`ESC[nC`).
                Some((ax, ay)) if ay == y && ax < x => {
                    match self
                        .gap(y, ax, x, (fg, bg, modifier))
                        .filter(|g| g.len() < 4)
                    {
                        Some(text) => queue!(self.inner, Print(text))?,
                        None => queue!(self.inner, MoveRight(x - ax))?,
                    }
                }
                Some(_) | None => queue!(self.inner, MoveTo(x, y))?,
            }
            self.remember(x, y, cell);
            let w = &mut self.inner;
            // One SGR sequence for everything that changes at this cell.
            let mut sgr: Vec<String> = Vec::new();
            if !(modifier - cell.modifier).is_empty() {
                // Taking an attribute away: reset all (colours too), then
                // set what this cell has.
                sgr.push("0".into());
                (fg, bg, modifier) = (Color::Reset, Color::Reset, Modifier::empty());
            }
            sgr.extend(attribute_codes(cell.modifier - modifier).map(String::from));
            modifier = cell.modifier;
            if cell.fg != fg {
                sgr.push(color_code(cell.fg, 30));
                fg = cell.fg;
            }
            if cell.bg != bg {
                sgr.push(color_code(cell.bg, 40));
                bg = cell.bg;
            }
            if !sgr.is_empty() {
                write!(w, "\u{1b}[{}m", sgr.join(";"))?;
            }
            queue!(w, Print(cell.symbol()))?;
            at = Some((x + cell.symbol().width() as u16, y));
        }
        write!(self.inner, "\u{1b}[0m")
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        self.inner.hide_cursor()
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        self.inner.show_cursor()
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        self.inner.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        self.inner.set_cursor_position(position)
    }

    fn clear(&mut self) -> io::Result<()> {
        // ratatui forgets its last frame too: what is on screen is unknown.
        self.shadow.clear();
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        self.shadow.clear();
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> io::Result<Size> {
        self.inner.size()
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        self.inner.window_size()
    }

    fn flush(&mut self) -> io::Result<()> {
        Backend::flush(&mut self.inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    /// Collects what the backend writes.
    #[derive(Clone, Default)]
    struct Sink(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

    impl Write for Sink {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_line_of_chinese_is_written_with_one_cursor_move() {
        let area = Rect::new(0, 0, 20, 2);
        let before = Buffer::empty(area);
        let mut after = Buffer::empty(area);
        after.set_string(2, 1, "张三与李四ab", Style::default());
        after.set_string(16, 1, "x", Style::default());
        let sink = Sink::default();
        let mut b = DeskBackend::new(sink.clone());
        b.draw(before.diff(&after).into_iter()).unwrap();
        let out = String::from_utf8(sink.0.borrow().clone()).unwrap();
        let moves = out.matches('H').count();
        assert_eq!(moves, 1, "{out:?}");
        // Then two unknown columns on along the row: a step right.
        assert!(
            out.starts_with("\u{1b}[2;3H张三与李四ab\u{1b}[2Cx"),
            "{out:?}"
        );
        // Erasing the names: the columns between are the known spaces
        // after each erased character, printed again (not stepped over).
        let mut erased = after.clone();
        erased.set_string(2, 1, "          ", Style::default());
        sink.0.borrow_mut().clear();
        b.draw(after.diff(&erased).into_iter()).unwrap();
        let out = String::from_utf8(sink.0.borrow().clone()).unwrap();
        // (Nine: the last erased character's hidden column went with it.)
        assert_eq!(out, "\u{1b}[2;3H         \u{1b}[0m");
    }
}
