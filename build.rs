//! Build-time facts for the tests: whether an X virtual framebuffer is there to run the real
//! window under. Without one (and outside CI, which must have it), the window tests are
//! compiled as ignored, with the reason, so `cargo test` says they were skipped.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(no_xvfb)");
    println!("cargo::rerun-if-env-changed=PATH");
    println!("cargo::rerun-if-env-changed=CI");
    let found = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join("xvfb-run").is_file()));
    if !found && std::env::var_os("CI").is_none() {
        println!("cargo::rustc-cfg=no_xvfb");
    }
}
