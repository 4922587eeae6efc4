//! The tests stay one executable: every file of tests/integration is a module of it, and
//! tests/ holds no other test file, which cargo would build as an executable of its own.

use std::path::Path;

#[test]
fn every_test_file_is_a_module_of_the_one_executable() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/integration");
    let root = include_str!("main.rs");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&here).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            let name = path.file_stem().unwrap().to_str().unwrap().to_string();
            if name != "main" && !root.lines().any(|l| l == format!("mod {name};")) {
                missing.push(name);
            }
        }
    }
    assert!(missing.is_empty(), "sans `mod` dans main.rs : {missing:?}");
}

#[test]
fn tests_holds_no_other_test_executable() {
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut others = Vec::new();
    for entry in std::fs::read_dir(&tests).unwrap() {
        let path = entry.unwrap().path();
        let is_file_target = path.extension().is_some_and(|e| e == "rs");
        let is_dir_target = path.join("main.rs").is_file() && !path.ends_with("integration");
        if is_file_target || is_dir_target {
            others.push(path.display().to_string());
        }
    }
    assert!(
        others.is_empty(),
        "exécutables de test en plus de tests/integration : {others:?}"
    );
}
