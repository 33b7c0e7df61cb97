fn main() {
    // The migrations are embedded at build time; a new or changed one must rebuild the crate.
    println!("cargo:rerun-if-changed=migrations");
}
