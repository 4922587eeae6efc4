//! Renders every gallery scene to `screenshots/NAME.svg`, and to PNG when `rsvg-convert`
//! (Debian: librsvg2-bin) is installed. Run: `cargo run --example screenshots`.

use guichet::tui::gallery::{scenes, splash_frames};
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
    let frames = scenes()
        .into_iter()
        .map(|scene| (scene.name, scene.render()))
        .chain(splash_frames());
    for (name, buffer) in frames {
        let svg_path = dir.join(format!("{name}.svg"));
        std::fs::write(&svg_path, buffer_to_svg(&buffer)).expect("write svg");
        if has_rsvg {
            let png_path = dir.join(format!("{name}.png"));
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
