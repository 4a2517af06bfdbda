use std::time::Instant;
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let t = Instant::now();
    let store = duty_desk::store::Store::open(std::path::Path::new(&path)).unwrap();
    println!("open {:?}", t.elapsed());
    let t = Instant::now();
    println!("raw {} {:?}", store.summary_bytes().unwrap(), t.elapsed());
    let t = Instant::now();
    println!("raw again {} {:?}", store.summary_bytes().unwrap(), t.elapsed());
    let t = Instant::now();
    let s = store.summaries().unwrap();
    println!("summaries {} {:?}", s.len(), t.elapsed());
    let bytes: Vec<Vec<u8>> = s.iter().map(|x| serde_json::to_vec(x).unwrap()).collect();
    println!("avg json {}", bytes.iter().map(|b| b.len()).sum::<usize>() / bytes.len());
    let t = Instant::now();
    for b in &bytes { let _x: duty_desk::domain::summary::Summary = serde_json::from_slice(b).unwrap(); }
    println!("decode only {:?}", t.elapsed());
    let t = Instant::now();
    let d: Vec<_> = s.iter().take(2000).map(|x| store.dispute(&x.id).unwrap()).collect();
    println!("2000 disputes {:?} avg {}", t.elapsed(), d.iter().map(|x| serde_json::to_vec(x).unwrap().len()).sum::<usize>()/2000);
}
#[allow(dead_code)]
fn raw() {}
