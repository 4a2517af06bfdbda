//! Handing freed memory back to the system now rather than after the
//! allocator's own delay: the desk and the server both live all shift, and a
//! burst (a 25 MB load, hundreds of connections) should not stay resident.

/// Trims the allocator. On the main thread this also takes back what threads
/// that have exited left behind (mimalloc collects abandoned segments there).
pub fn release() {
    extern "C" {
        fn mi_collect(force: bool);
    }
    // Names the allocator's library, so it is linked wherever this is.
    let _linked = libmimalloc_sys::mi_free as unsafe extern "C" fn(_);
    // SAFETY: mi_collect only walks and trims the allocator's own heaps.
    // Unavoidable: neither the mimalloc crate nor libmimalloc-sys offers a
    // safe wrapper for it.
    unsafe { mi_collect(true) };
}
