//! porch: branded customer portals at the edge. This package is the deployable worker: the
//! Workers shell (`edge`), the only code that touches the `worker` crate; everything else is
//! `porch-core` and the crates below it (README "Layout").

#[cfg(target_arch = "wasm32")]
mod edge;
