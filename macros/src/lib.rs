//! Attribute macros for the `asyncheck` test harness; use them through the `asyncheck` crate.
#![warn(missing_docs, unreachable_pub)]

mod mock_attr;
mod model_attr;
mod options;
mod pause;
mod proptest_attr;
mod test_attr;

use proc_macro::TokenStream;

/// Runs an `async fn` as a test on a fresh tokio runtime with a paused clock, a
/// timeout, and task-panic detection; opt-in blocked-executor and leak detection.
///
/// Use it as `#[asyncheck::test]` (re-exported by the `asyncheck` crate, which
/// documents every option and shows the expansion):
///
/// ```ignore
/// #[asyncheck::test(timeout = "500ms", leak_check)]
/// async fn answers_in_time() {
///     tokio::time::sleep(std::time::Duration::from_millis(100)).await;
/// }
/// ```
///
/// Options: `timeout = "<duration>"`, `real_time`, `flavor = "current_thread" |
/// "multi_thread"`, `worker_threads = N`, `blocking_threshold = "<duration>"`,
/// `leak_check`, `allow_task_panics`, `start_paused = <bool>`, `wall_timeout =
/// "<duration>" | "off"`. A duration is an integer followed by `ms`, `s`, `m` or `h`.
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    test_attr::expand(args.into(), item.into()).into()
}

/// Generates `Mock<Trait>` for a trait: one public `AsyncMock` field per method,
/// named like the method, and an implementation of the trait that records each
/// call and answers what the field was configured with.
///
/// Use it as `#[asyncheck::mock]` (re-exported by the `asyncheck` crate, which
/// documents what is recorded and what is not supported):
///
/// ```ignore
/// #[asyncheck::mock]
/// trait UserStore {
///     async fn get(&self, id: u32) -> Option<String>;
/// }
///
/// let store = MockUserStore::new();
/// store.get.returns(Some("ada".to_owned()));
/// ```
#[proc_macro_attribute]
pub fn mock(args: TokenStream, item: TokenStream) -> TokenStream {
    mock_attr::expand(&args.into(), item.into()).into()
}

/// Runs an async property test: each case of `async fn name(#[strategy(s)] x: T,
/// y: U)` runs on a fresh paused-clock runtime, like `#[asyncheck::test]` (whose
/// options it takes, plus `cases = N`); a failure is shrunk with proptest and
/// reported with the minimal input as `name = value`.
///
/// Use it as `#[asyncheck::proptest]` (re-exported by the `asyncheck` crate,
/// which documents it):
///
/// ```ignore
/// #[asyncheck::proptest(cases = 64, timeout = "1s")]
/// async fn parses_what_it_prints(#[strategy(0..1000u32)] n: u32) {
///     assert_eq!(n.to_string().parse::<u32>().unwrap(), n);
/// }
/// ```
#[proc_macro_attribute]
pub fn proptest(args: TokenStream, item: TokenStream) -> TokenStream {
    proptest_attr::expand(args.into(), item.into()).into()
}

/// Runs a sync or async fn as a loom model: loom runs the body once per
/// interleaving of its threads (an async body through loom's `block_on`), and a
/// failing interleaving fails the test with the body's message.
///
/// Use it as `#[asyncheck::model]` (re-exported by the `asyncheck` crate, which
/// documents it); options `preemption_bound = N` and `max_branches = N`:
///
/// ```ignore
/// #[asyncheck::model(preemption_bound = 3)]
/// fn counter_is_not_lost() {
///     use asyncheck::loom::{sync::Arc, sync::atomic::{AtomicUsize, Ordering}, thread};
///     let n = Arc::new(AtomicUsize::new(0));
///     let m = n.clone();
///     let t = thread::spawn(move || m.fetch_add(1, Ordering::SeqCst));
///     n.fetch_add(1, Ordering::SeqCst);
///     t.join().unwrap();
///     assert_eq!(n.load(Ordering::SeqCst), 2);
/// }
/// ```
#[proc_macro_attribute]
pub fn model(args: TokenStream, item: TokenStream) -> TokenStream {
    model_attr::expand(args.into(), item.into()).into()
}

/// What `#[asyncheck::proptest]` is when the `proptest` feature of `asyncheck` is
/// off: a compile error naming the feature, next to an empty `#[test]` of the
/// same name so that the rest of the file still resolves.
#[doc(hidden)]
#[proc_macro_attribute]
pub fn proptest_without_feature(_args: TokenStream, item: TokenStream) -> TokenStream {
    options::without_feature("proptest", "proptest", item.into()).into()
}

/// What `#[asyncheck::model]` is when the `loom` feature of `asyncheck` is off:
/// a compile error naming the feature, next to an empty `#[test]` of the same name.
#[doc(hidden)]
#[proc_macro_attribute]
pub fn model_without_feature(_args: TokenStream, item: TokenStream) -> TokenStream {
    options::without_feature("model", "loom", item.into()).into()
}
