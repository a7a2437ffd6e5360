//! Mirrors the capability flags the library was built with (`galileo_has_project_lookup`,
//! `galileo_has_counts`: decided by its build script from the spec's operations), so the
//! demo shows names and percentages in a build whose spec has their operations.

fn main() {
    let all = std::env::var("DEP_GALILEO_EXPORT_CFG_ALL").unwrap_or_default();
    let on = std::env::var("DEP_GALILEO_EXPORT_CFG_ON").unwrap_or_default();
    for cfg in all.split(',').filter(|c| !c.is_empty()) {
        println!("cargo::rustc-check-cfg=cfg({cfg})");
    }
    for cfg in on.split(',').filter(|c| !c.is_empty()) {
        println!("cargo::rustc-cfg={cfg}");
    }
}
