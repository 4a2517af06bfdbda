//! The desk's screen as text, drawn on a TestBackend.

use duty_desk::tui::app::App;
use duty_desk::tui::views;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

/// One line per row, each wide char once.
pub fn render(app: &mut App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| views::draw(f, app)).unwrap();
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..h {
        let mut skip = 0;
        for x in 0..w {
            let c = &buf[(x, y)];
            if skip == 0 {
                out.push_str(c.symbol());
            }
            skip = skip
                .max(unicode_width::UnicodeWidthStr::width(c.symbol()))
                .saturating_sub(1);
        }
        out.push('\n');
    }
    out
}
