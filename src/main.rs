fn main() {
    keep_large_blocks_out_of_the_heap();
    std::process::exit(foitrack::cli::main());
}

/// glibc raises its threshold for giving a block its own mapping each time such a block is
/// freed, up to 32 MiB. After one large import, the next one's tables would then be carved out of
/// the per-thread heaps, whose free tops glibc never hands back: a server that took a few large
/// files would keep tens of MiB it no longer uses. A fixed threshold keeps every block over
/// 256 KiB in a mapping of its own, returned to the system when it is freed.
fn keep_large_blocks_out_of_the_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes an allocator setting; it is called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 * 1024);
    }
}
