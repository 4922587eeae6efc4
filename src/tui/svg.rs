//! Renders a ratatui buffer as an SVG picture, cell by cell, so screenshots come from the
//! very buffers the snapshot tests check.

use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use std::fmt::Write;

const CELL_W: f32 = 8.4;
const CELL_H: f32 = 18.0;
const FONT_SIZE: f32 = 14.0;
const PAD: f32 = 8.0;
const DEFAULT_FG: &str = "#d4d4d4";
const DEFAULT_BG: &str = "#1e1e1e";

fn hex(color: Color, default: &'static str) -> String {
    let s = match color {
        Color::Reset => default,
        Color::Black => "#000000",
        Color::Red => "#cd3131",
        Color::Green => "#0dbc79",
        Color::Yellow => "#e5e510",
        Color::Blue => "#2472c8",
        Color::Magenta => "#bc3fbc",
        Color::Cyan => "#11a8cd",
        Color::Gray => "#b0b0b0",
        Color::DarkGray => "#767676",
        Color::LightRed => "#f14c4c",
        Color::LightGreen => "#23d18b",
        Color::LightYellow => "#f5f543",
        Color::LightBlue => "#3b8eea",
        Color::LightMagenta => "#d670d6",
        Color::LightCyan => "#29b8db",
        Color::White => "#ffffff",
        Color::Rgb(r, g, b) => return format!("#{r:02x}{g:02x}{b:02x}"),
        Color::Indexed(i) => return format!("#{0:02x}{0:02x}{0:02x}", i),
    };
    s.to_string()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The cell's effective colours and text attributes.
fn look(cell: &ratatui::buffer::Cell) -> (String, String, bool, bool) {
    let mut fg = hex(cell.fg, DEFAULT_FG);
    let mut bg = hex(cell.bg, DEFAULT_BG);
    if cell.modifier.contains(Modifier::REVERSED) {
        std::mem::swap(&mut fg, &mut bg);
    }
    (
        fg,
        bg,
        cell.modifier.contains(Modifier::BOLD),
        cell.modifier.contains(Modifier::UNDERLINED),
    )
}

pub fn buffer_to_svg(buf: &Buffer) -> String {
    let area = buf.area;
    let width = area.width as f32 * CELL_W + 2.0 * PAD;
    let height = area.height as f32 * CELL_H + 2.0 * PAD;
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}">"#
    );
    let _ = writeln!(
        out,
        r#"<rect width="100%" height="100%" fill="{DEFAULT_BG}"/>"#
    );
    let _ = writeln!(
        out,
        r#"<g font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="{FONT_SIZE}">"#
    );
    for y in 0..area.height {
        let top = PAD + y as f32 * CELL_H;
        let baseline = top + CELL_H * 0.75;
        // Backgrounds first, merged into runs.
        let mut x = 0;
        while x < area.width {
            let (_, bg, _, _) = look(&buf[(area.x + x, area.y + y)]);
            let start = x;
            while x < area.width && look(&buf[(area.x + x, area.y + y)]).1 == bg {
                x += 1;
            }
            if bg != DEFAULT_BG {
                let _ = writeln!(
                    out,
                    r#"<rect x="{:.1}" y="{top:.1}" width="{:.1}" height="{CELL_H}" fill="{bg}"/>"#,
                    PAD + start as f32 * CELL_W,
                    (x - start) as f32 * CELL_W + 0.5
                );
            }
        }
        // Then text: one element per glyph, grouped by look, so that every glyph sits on
        // its own cell whatever the viewer's font and its fallbacks measure.
        let mut x = 0;
        while x < area.width {
            let first = look(&buf[(area.x + x, area.y + y)]);
            let mut glyphs = String::new();
            while x < area.width {
                let cell = &buf[(area.x + x, area.y + y)];
                if look(cell) != first {
                    break;
                }
                let sym = cell.symbol();
                if !sym.is_empty() && sym != " " {
                    let _ = write!(
                        glyphs,
                        r#"<text x="{:.1}" y="{baseline:.1}">{}</text>"#,
                        PAD + x as f32 * CELL_W,
                        escape(sym)
                    );
                }
                x += 1;
            }
            if glyphs.is_empty() {
                continue;
            }
            let (fg, _, bold, underline) = &first;
            let mut attrs = format!(r#" fill="{fg}""#);
            if *bold {
                attrs.push_str(r#" font-weight="bold""#);
            }
            if *underline {
                attrs.push_str(r#" text-decoration="underline""#);
            }
            let _ = writeln!(out, "<g{attrs}>{glyphs}</g>");
        }
    }
    out.push_str("</g>\n</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    #[test]
    fn every_glyph_sits_on_its_cell() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 6, 1));
        buf.set_string(0, 0, "Zoé<&", Style::new().fg(Color::Cyan));
        let svg = buffer_to_svg(&buf);
        assert!(svg.contains(r#"<text x="24.8" y="21.5">é</text>"#), "{svg}");
        assert!(svg.contains(r#"<text x="33.2" y="21.5">&lt;</text>"#));
        assert!(svg.contains(r#"<text x="41.6" y="21.5">&amp;</text>"#));
        assert!(svg.contains("#11a8cd"));
    }
}
