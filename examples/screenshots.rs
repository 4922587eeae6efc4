//! Renders every gallery scene to `screenshots/NAME.svg`, and to PNG when `rsvg-convert`
//! (Debian: librsvg2-bin) is installed. Run: `cargo run --example screenshots`.

use guichet::tui::gallery::scenes;
use guichet::tui::svg::buffer_to_svg;
use std::path::Path;
use std::process::Command;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("screenshots");
    std::fs::create_dir_all(&dir).expect("screenshots folder");
    let has_rsvg = Command::new("rsvg-convert")
        .arg("--version")
        .output()
        .is_ok();
    for scene in scenes() {
        let svg_path = dir.join(format!("{}.svg", scene.name));
        std::fs::write(&svg_path, buffer_to_svg(&scene.render())).expect("write svg");
        if has_rsvg {
            let png_path = dir.join(format!("{}.png", scene.name));
            let status = Command::new("rsvg-convert")
                .arg("-o")
                .arg(&png_path)
                .arg(&svg_path)
                .status()
                .expect("rsvg-convert runs");
            assert!(
                status.success(),
                "rsvg-convert failed on {}",
                svg_path.display()
            );
        }
        println!("{}", svg_path.display());
    }
    if !has_rsvg {
        eprintln!(
            "rsvg-convert absent : SVG seulement (apt-get install librsvg2-bin pour les PNG)"
        );
    }
}
