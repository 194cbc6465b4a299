//! Names that come from another module through a glob import (`use crate::m::*`)
//! or a `pub use` re-export (`crate::net::fetch` for `crate::net::inner::fetch`).
use std::time::Duration;

pub mod util {
    use std::time::Duration;

    pub fn nap() {
        std::thread::sleep(Duration::from_millis(5));
    }

    pub async fn refresh() {}

    pub struct Throttle;

    impl Throttle {
        pub fn new() -> Throttle {
            Throttle
        }

        pub fn wait(&self) {
            std::thread::sleep(Duration::from_millis(20));
        }

        pub fn ready(&self) -> bool {
            true
        }
    }
}

pub mod quiet {
    pub fn nap() {}
}

/// The crate's own async `sleep`: a glob that brings it brings no `std::thread::sleep`.
pub mod timer {
    pub async fn sleep(_for: std::time::Duration) {}
}

pub mod net {
    pub mod inner {
        pub fn fetch_blocking() -> Vec<u8> {
            std::fs::read("/var/cache/app").unwrap_or_default()
        }

        pub fn read_config() -> String {
            std::fs::read_to_string("/etc/app.toml").unwrap_or_default()
        }

        pub async fn ping() {}

        pub fn clear_caches() {
            std::fs::remove_dir_all("/var/cache/app").ok();
        }

        pub struct Store;

        impl Store {
            pub fn load_sync() -> Vec<u8> {
                std::fs::read("/var/lib/app/store").unwrap_or_default()
            }

            pub fn flush_sync(&self) {
                std::fs::write("/var/lib/app/store", b"").ok();
            }

            pub fn len(&self) -> usize {
                0
            }
        }
    }

    pub mod fast {
        pub fn load() -> Vec<u8> {
            Vec::new()
        }
    }

    pub mod slow {
        pub fn load() -> Vec<u8> {
            std::fs::read("/var/lib/app/slow").unwrap_or_default()
        }
    }

    pub use fast::load;
    pub use inner::Store;
    pub use inner::fetch_blocking;
    pub use inner::fetch_blocking as fetch_now;
    pub use inner::ping;
    pub use inner::*;

    /// Declared here: the glob `pub use inner::*` does not shadow it.
    pub fn read_config() -> String {
        String::new()
    }
}

pub use net::*;

// ---- flagged ----

pub mod handlers {
    use crate::util::*;

    pub async fn through_a_crate_glob() {
        nap(); //~ blocking_sleep
    }

    pub async fn a_type_through_a_crate_glob() {
        let throttle = Throttle::new();
        throttle.wait(); //~ blocking_sleep
    }

    pub async fn a_typed_parameter_through_a_crate_glob(throttle: &Throttle) {
        throttle.wait(); //~ blocking_sleep
    }

    pub async fn a_dropped_future_through_a_crate_glob() {
        refresh(); //~ unawaited_future
    }

    pub mod nested {
        use super::super::util::*;

        pub async fn through_a_super_glob() {
            nap(); //~ blocking_sleep
        }
    }
}

pub mod self_glob {
    use self::local::*;

    mod local {
        pub fn spin() {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }

    pub async fn through_a_self_glob() {
        spin(); //~ blocking_sleep
    }
}

pub async fn an_explicit_reexport() -> Vec<u8> {
    crate::net::fetch_blocking() //~ blocking_io
}

pub async fn a_renamed_reexport() -> Vec<u8> {
    net::fetch_now() //~ blocking_io
}

pub async fn a_glob_reexport() {
    crate::net::clear_caches(); //~ blocking_io
}

pub async fn a_reexported_type() -> Vec<u8> {
    net::Store::load_sync() //~ blocking_io
}

pub async fn a_receiver_of_a_reexported_type(store: &crate::net::Store) {
    store.flush_sync(); //~ blocking_io
}

pub async fn a_reexport_of_a_reexport() -> Vec<u8> {
    crate::fetch_blocking() //~ blocking_io
}

pub async fn a_dropped_reexported_future() {
    net::ping(); //~ unawaited_future
}

// ---- clean look-alikes ----

pub mod clean {
    use crate::timer::*;
    use crate::util::*;

    pub async fn the_crates_own_async_sleep_through_a_glob() {
        sleep(std::time::Duration::from_millis(5)).await;
    }

    pub async fn an_awaited_future_through_a_glob() {
        refresh().await;
    }

    pub async fn a_non_blocking_method_through_a_glob(throttle: &Throttle) -> bool {
        throttle.ready()
    }

    pub fn a_blocking_helper_in_sync_code() {
        nap();
    }

    pub async fn a_blocking_helper_in_spawn_blocking() {
        tokio::task::spawn_blocking(nap).await.ok();
        tokio::task::spawn_blocking(|| nap()).await.ok();
    }
}

pub mod shadowed_by_an_item {
    use crate::util::*;

    fn nap() {}

    pub async fn the_modules_own_item_wins() {
        nap();
    }
}

pub mod shadowed_by_an_import {
    use crate::quiet::nap;
    use crate::util::*;

    pub async fn the_explicit_import_wins() {
        nap();
    }
}

pub async fn the_modules_own_fn_is_not_the_globbed_one() -> String {
    crate::net::read_config()
}

pub async fn a_reexport_of_the_non_blocking_one() -> Vec<u8> {
    net::load()
}

pub async fn an_awaited_reexported_future() {
    net::ping().await;
}

pub async fn a_non_blocking_method_of_a_reexported_type(store: &net::Store) -> usize {
    store.len()
}

pub async fn an_async_sleep_as_written() {
    tokio::time::sleep(Duration::from_millis(1)).await;
}
