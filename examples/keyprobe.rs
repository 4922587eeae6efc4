use guichet::store::{ProcedureQuery, Store};
use std::time::Instant;
fn main() {
    let store = Store::open(std::path::Path::new("/tmp/p1k.db")).unwrap();
    let index = store.load_search_index().unwrap();
    let text = std::env::args()
        .nth(1)
        .unwrap_or("carte agent perdue, noemi bloque depuis ce matin".into());
    for round in 0..3 {
        let mut line = Vec::new();
        for (i, c) in text.char_indices() {
            let prefix = &text[..i + c.len_utf8()];
            let q = ProcedureQuery {
                text: prefix,
                service: None,
                device: None,
                limit: 8,
            };
            let t = Instant::now();
            let hits = index.search(&q);
            let e = t.elapsed().as_secs_f64() * 1000.0;
            std::hint::black_box(hits);
            line.push(format!("{}{:.2}", c, e));
        }
        println!("round {round}: {}", line.join(" "));
    }
}
