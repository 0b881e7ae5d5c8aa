//! Process-wide SQLite settings, applied once before the first SQLite connection. Both were
//! found with `perf` under load (see docs/performance.md).

use std::ffi::{c_char, c_int};

use libsqlite3_sys as ffi;

/// Applies the settings once. Every SQLite connection in foitrack is opened after this.
pub(super) fn apply_once() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: sqlite3_config may only be called before SQLite initialises and while no other
        // thread uses it; every SQLite connection in foitrack is opened after this Once. Were
        // SQLite already initialised (by code outside foitrack), the call returns SQLITE_MISUSE
        // and changes nothing: the statistics then stay on, which is only slower.
        let rc = unsafe { ffi::sqlite3_config(ffi::SQLITE_CONFIG_MEMSTATUS, 0 as c_int) };
        if rc != ffi::SQLITE_OK {
            tracing::debug!(rc, "SQLite memory statistics stay on: SQLite was already initialised");
        }
        // SAFETY: registers a function with the signature SQLite expects; it lives as long as the
        // program.
        let rc = unsafe { ffi::sqlite3_auto_extension(Some(on_open)) };
        if rc != ffi::SQLITE_OK {
            tracing::warn!(
                rc,
                "SQLite could not be told to keep its query plans stable; reads will be slower"
            );
        }
    });
}

/// Called by SQLite for every connection it opens.
///
/// Memory statistics off: with them on, every allocation inside SQLite takes one global mutex,
/// and under load the pool's threads queue on it (`dbMallocRawFinish` → futex).
///
/// Query plans independent of bound values (`SQLITE_DBCONFIG_ENABLE_QPSG`): otherwise SQLite lets
/// the value bound to a parameter shape the plan, for `LIMIT ?` (which diesel writes for every
/// `first()` and page), `LIKE ?` and partial indexes, and marks the statement expired whenever
/// that parameter is bound again. Diesel binds on every run, so each cached statement was parsed
/// and planned anew on every use (`sqlite3Reprepare`: a quarter of the CPU time of
/// `GET /requests/{id}`). foitrack's queries gain nothing from value-specific plans: its LIKE
/// patterns start with `%`, and its indexes are not partial.
unsafe extern "C" fn on_open(
    db: *mut ffi::sqlite3,
    _error: *mut *mut c_char,
    _api: *const ffi::sqlite3_api_routines,
) -> c_int {
    // SAFETY: `db` is the connection SQLite is opening; the variadic form takes an int (1: on)
    // and an optional int pointer for the previous value.
    unsafe {
        ffi::sqlite3_db_config(
            db,
            ffi::SQLITE_DBCONFIG_ENABLE_QPSG,
            1 as c_int,
            std::ptr::null_mut::<c_int>(),
        )
    };
    ffi::SQLITE_OK
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_new_connection_keeps_its_query_plans_stable() {
        apply_once();
        let mut db = std::ptr::null_mut();
        let mut on: c_int = -1;
        // SAFETY: opens a private in-memory database, reads one setting and closes it again.
        unsafe {
            assert_eq!(ffi::sqlite3_open(c":memory:".as_ptr(), &mut db), ffi::SQLITE_OK);
            ffi::sqlite3_db_config(db, ffi::SQLITE_DBCONFIG_ENABLE_QPSG, -1 as c_int, &mut on as *mut c_int);
            ffi::sqlite3_close(db);
        }
        assert_eq!(on, 1);
    }
}
