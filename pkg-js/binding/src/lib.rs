//! Thin wasm-bindgen binding (being written).
