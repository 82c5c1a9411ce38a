//! Rebuilds when a migration is added: `embed_migrations!` reads the folder at compile
//! time, and cargo notices only files it was told about.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
