//! `#[asyncheck::test]`: parse the options into a [`Builder`], validate them in
//! [`Builder::build`], and expand the function into a `#[test]` that runs its body
//! through `asyncheck::__private::TestConfig`.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned as _;
use syn::{Error, ItemFn, Lit, ReturnType};

use crate::options::{self, Errors, flag, literal, positive_int, with_error};

/// Expands `#[asyncheck::test(args)] item`. On error the user's function is
/// still emitted, unchanged, next to `compile_error!`, so that editors keep
/// resolving and completing inside it.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let func: ItemFn = match syn::parse2(item.clone()) {
        Ok(func) => func,
        Err(err) => return with_error(item, &err),
    };
    let mut builder = Builder::default();
    let mut errors = Errors::default();
    errors.check(options::parse(args, &[options::TEST], |name, meta| {
        builder.option(name, meta)
    }));
    check_signature(&func, &mut errors);
    let config = errors.check(builder.build());
    match (errors.finish(), config) {
        (Ok(()), Some(mut config)) => {
            config.body_pauses = crate::pause::calls_pause(&func.block);
            expand_test(&func, &config)
        }
        (Err(err), _) => with_error(item, &err),
        (Ok(()), None) => unreachable!("build() returns a config or an error"),
    }
}

fn check_signature(func: &ItemFn, errors: &mut Errors) {
    let sig = &func.sig;
    if sig.asyncness.is_none() {
        errors.add(Error::new(
            sig.fn_token.span,
            "the `async` keyword is missing from the function declaration: \
             `#[asyncheck::test]` runs an `async fn`",
        ));
    }
    if !sig.inputs.is_empty() {
        errors.add(Error::new(
            sig.inputs.span(),
            "a test function cannot take arguments",
        ));
    }
    if !sig.generics.params.is_empty() {
        errors.add(Error::new(
            sig.generics.span(),
            "a test function cannot be generic",
        ));
    }
}

/// A parsed option value and where it was written.
#[derive(Clone, Copy)]
struct Setting<T> {
    value: T,
    /// The option's name, for "repeated" and "contradicts" errors.
    key: Span,
    /// The value's token (the key itself for flags), for "invalid value" errors.
    at: Span,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Flavor {
    CurrentThread,
    MultiThread,
    /// tokio's `LocalRuntime`.
    Local,
}

/// `unhandled_panic = "..."`, tokio's spelling of what a task panic does.
#[derive(Clone, Copy, PartialEq, Eq)]
enum UnhandledPanic {
    /// `"ignore"`: like `allow_task_panics`.
    Ignore,
    /// `"shutdown_runtime"`: a task panic ends the test, as it does by default.
    ShutdownRuntime,
}

/// The options as written, one slot per option.
#[derive(Default)]
pub(crate) struct Builder {
    timeout: Option<Setting<u64>>,
    real_time: Option<Setting<()>>,
    flavor: Option<Setting<Flavor>>,
    worker_threads: Option<Setting<usize>>,
    blocking_threshold: Option<Setting<u64>>,
    leak_check: Option<Setting<()>>,
    allow_task_panics: Option<Setting<()>>,
    start_paused: Option<Setting<bool>>,
    wall_timeout: Option<Setting<WallTimeout>>,
    idle_limit: Option<Setting<WallTimeout>>,
    unhandled_panic: Option<Setting<UnhandledPanic>>,
}

/// The validated options; durations in milliseconds.
#[allow(
    clippy::struct_excessive_bools,
    reason = "one flag per independent option of the attribute, not a state machine"
)]
pub(crate) struct Config {
    multi_thread: bool,
    local: bool,
    worker_threads: Option<usize>,
    real_time: bool,
    timeout_ms: Option<u64>,
    blocking_threshold_ms: Option<u64>,
    leak_check: bool,
    allow_task_panics: bool,
    /// `None`: the runner's default.
    wall_timeout: Option<WallTimeout>,
    /// `None`: the runner's default.
    idle_limit: Option<WallTimeout>,
    /// The body calls `tokio::time::pause()`: start the clock running.
    pub(crate) body_pauses: bool,
}

/// `wall_timeout` or `idle_limit`: `"off"` or a duration in milliseconds.
#[derive(Clone, Copy)]
enum WallTimeout {
    Off,
    Ms(u64),
}

impl Builder {
    /// Reads the value of option `name` (a key of [`options::TEST`], checked
    /// known and not repeated by [`options::parse`]).
    pub(crate) fn option(&mut self, name: &str, meta: &ParseNestedMeta<'_>) -> Result<(), Error> {
        let key = meta.path.span();
        let set_flag = |slot: &mut Option<Setting<()>>| -> Result<(), Error> {
            flag(meta, name)?;
            *slot = Some(Setting {
                value: (),
                key,
                at: key,
            });
            Ok(())
        };
        match name {
            "timeout" => self.timeout = Some(duration_value(meta, name, key)?),
            "blocking_threshold" => {
                self.blocking_threshold = Some(duration_value(meta, name, key)?);
            }
            "wall_timeout" => {
                self.wall_timeout = Some(limit_value(meta, name, key, "disable the watchdog")?);
            }
            "idle_limit" => {
                self.idle_limit = Some(limit_value(meta, name, key, "wait without limit")?);
            }
            "unhandled_panic" => self.unhandled_panic = Some(unhandled_panic_value(meta, key)?),
            "crate" => {
                // tokio's path to itself, for a renamed `tokio`. The expansion never
                // names tokio (the runtime is the `tokio` asyncheck depends on, which
                // cargo unifies with yours), so the path is only checked.
                let lit = literal(meta, name, "a path, e.g. `crate = \"tokio\"`")?;
                let Lit::Str(text) = &lit else {
                    return Err(Error::new(
                        lit.span(),
                        "`crate` expects a path in a string, e.g. `crate = \"tokio\"`",
                    ));
                };
                text.parse::<syn::Path>().map_err(|err| {
                    Error::new(
                        text.span(),
                        format!(
                            "`crate` expects a path in a string, e.g. `crate = \"tokio\"`: {err}"
                        ),
                    )
                })?;
            }
            "real_time" => set_flag(&mut self.real_time)?,
            "leak_check" => set_flag(&mut self.leak_check)?,
            "allow_task_panics" => set_flag(&mut self.allow_task_panics)?,
            "flavor" => self.flavor = Some(flavor_value(meta, name, key)?),
            "worker_threads" => {
                let (value, at) =
                    positive_int(meta, name, "a number of threads", "worker_threads = 4")?;
                self.worker_threads = Some(Setting { value, key, at });
            }
            "start_paused" => {
                let lit = literal(meta, name, "`true` or `false`")?;
                let Lit::Bool(b) = &lit else {
                    return Err(Error::new(
                        lit.span(),
                        "`start_paused` expects `true` or `false`",
                    ));
                };
                self.start_paused = Some(Setting {
                    value: b.value,
                    key,
                    at: lit.span(),
                });
            }
            _ => unreachable!("option `{name}` is not in the table"),
        }
        Ok(())
    }

    /// Checks how the options combine, reporting every contradiction at once.
    pub(crate) fn build(self) -> Result<Config, Error> {
        let mut errors = Errors::default();
        let mut add = |span: Span, msg: &str| errors.add(Error::new(span, msg));
        let multi_thread = self.flavor.is_some_and(|f| f.value == Flavor::MultiThread);
        if let Some(workers) = self.worker_threads.filter(|_| !multi_thread) {
            add(
                workers.key,
                "`worker_threads` needs `flavor = \"multi_thread\"`: the default runtime has a \
                 single thread",
            );
        }
        if let Some(threshold) = self.blocking_threshold.filter(|_| multi_thread) {
            add(
                threshold.key,
                "`blocking_threshold` contradicts `flavor = \"multi_thread\"`: blocked-executor \
                 detection watches the single thread of a current-thread runtime",
            );
        }
        if let (Some(rule), Some(allow)) = (self.unhandled_panic, self.allow_task_panics) {
            if rule.value == UnhandledPanic::ShutdownRuntime {
                add(
                    allow.key,
                    "`allow_task_panics` contradicts `unhandled_panic = \"shutdown_runtime\"`",
                );
            }
        }
        if let Some(paused) = self.start_paused {
            if paused.value && multi_thread {
                add(
                    paused.at,
                    "`start_paused = true` contradicts `flavor = \"multi_thread\"`: tokio can only \
                     pause time on a current-thread runtime",
                );
            }
            if paused.value && self.real_time.is_some() {
                add(paused.at, "`start_paused = true` contradicts `real_time`");
            }
        }
        errors.finish()?;
        let real_time =
            multi_thread || self.real_time.is_some() || self.start_paused.is_some_and(|p| !p.value);
        Ok(Config {
            multi_thread,
            worker_threads: self.worker_threads.map(|w| w.value),
            real_time,
            timeout_ms: self.timeout.map(|t| t.value),
            blocking_threshold_ms: self.blocking_threshold.map(|t| t.value),
            leak_check: self.leak_check.is_some(),
            allow_task_panics: self.allow_task_panics.is_some()
                || self
                    .unhandled_panic
                    .is_some_and(|u| u.value == UnhandledPanic::Ignore),
            wall_timeout: self.wall_timeout.map(|w| w.value),
            idle_limit: self.idle_limit.map(|w| w.value),
            local: self.flavor.is_some_and(|f| f.value == Flavor::Local),
            body_pauses: false,
        })
    }
}

fn duration_value(
    meta: &ParseNestedMeta<'_>,
    name: &str,
    key: Span,
) -> Result<Setting<u64>, Error> {
    let lit = literal(meta, name, "a duration such as \"500ms\"")?;
    let Lit::Str(text) = &lit else {
        return Err(Error::new(
            lit.span(),
            format!(
                "`{name}` expects a duration string such as \"500ms\", \"2s\", \"1m\" or \"1h\""
            ),
        ));
    };
    let millis = parse_duration_ms(&text.value()).map_err(|msg| Error::new(text.span(), msg))?;
    Ok(Setting {
        value: millis,
        key,
        at: text.span(),
    })
}

fn flavor_value(
    meta: &ParseNestedMeta<'_>,
    name: &str,
    key: Span,
) -> Result<Setting<Flavor>, Error> {
    let lit = literal(
        meta,
        name,
        "a string: \"current_thread\", \"multi_thread\" or \"local\"",
    )?;
    let value = match &lit {
        Lit::Str(s) if s.value() == "current_thread" => Flavor::CurrentThread,
        Lit::Str(s) if s.value() == "multi_thread" => Flavor::MultiThread,
        Lit::Str(s) if s.value() == "local" => Flavor::Local,
        _ => {
            return Err(Error::new(
                lit.span(),
                "unknown runtime flavor: expected \"current_thread\", \"multi_thread\" or \"local\"",
            ));
        }
    };
    Ok(Setting {
        value,
        key,
        at: lit.span(),
    })
}

/// `name = "<duration>"` or `name = "off"` (`wall_timeout`, `idle_limit`); `off`
/// says what `"off"` does, for the error.
fn limit_value(
    meta: &ParseNestedMeta<'_>,
    name: &str,
    key: Span,
    off: &str,
) -> Result<Setting<WallTimeout>, Error> {
    let lit = literal(meta, name, "a duration such as \"30s\", or \"off\"")?;
    let Lit::Str(text) = &lit else {
        return Err(Error::new(
            lit.span(),
            format!("`{name}` expects a duration string such as \"30s\" or \"5m\", or \"off\""),
        ));
    };
    let value = match text.value().as_str() {
        "off" => WallTimeout::Off,
        other => WallTimeout::Ms(
            parse_duration_ms(other)
                .map_err(|msg| Error::new(text.span(), format!("{msg}, or \"off\" to {off}")))?,
        ),
    };
    Ok(Setting {
        value,
        key,
        at: text.span(),
    })
}

/// `unhandled_panic = "ignore"` or `"shutdown_runtime"`, tokio's values.
fn unhandled_panic_value(
    meta: &ParseNestedMeta<'_>,
    key: Span,
) -> Result<Setting<UnhandledPanic>, Error> {
    let expected = "\"ignore\" or \"shutdown_runtime\"";
    let lit = literal(meta, "unhandled_panic", expected)?;
    let value = match &lit {
        Lit::Str(s) if s.value() == "ignore" => UnhandledPanic::Ignore,
        Lit::Str(s) if s.value() == "shutdown_runtime" => UnhandledPanic::ShutdownRuntime,
        _ => {
            return Err(Error::new(
                lit.span(),
                format!("`unhandled_panic` expects {expected}"),
            ));
        }
    };
    Ok(Setting {
        value,
        key,
        at: lit.span(),
    })
}

/// Parses `<integer>(ms|s|m|h)` into milliseconds.
fn parse_duration_ms(text: &str) -> Result<u64, String> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let (number, unit) = text.split_at(digits);
    let invalid = || {
        format!(
            "invalid duration \"{text}\": expected an integer followed by `ms`, `s`, `m` or `h`, \
             e.g. \"250ms\" or \"2s\""
        )
    };
    let n: u64 = number.parse().map_err(|_| invalid())?;
    let ms_per_unit: u64 = match unit {
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        _ => return Err(invalid()),
    };
    if n == 0 {
        return Err(format!(
            "invalid duration \"{text}\": a duration must be greater than zero"
        ));
    }
    n.checked_mul(ms_per_unit)
        .ok_or_else(|| format!("invalid duration \"{text}\": too large"))
}

fn expand_test(func: &ItemFn, config: &Config) -> TokenStream {
    let ItemFn {
        attrs,
        vis,
        sig,
        block,
    } = func;
    let mut sig = sig.clone();
    sig.asyncness = None;
    let output = match &sig.output {
        ReturnType::Default => quote!(()),
        ReturnType::Type(_, ty) => ty.to_token_stream(),
    };

    let builder = runner(config, &sig.ident);

    // Pinning the body as `dyn Future<Output = #output>` gives `?` and `return`
    // inside the async block the function's return type to infer from.
    let body = quote_spanned! {block.span()=>
        let __asyncheck_body = async move #block;
        let __asyncheck_body = ::core::pin::pin!(__asyncheck_body);
        let __asyncheck_body: ::core::pin::Pin<
            &mut dyn ::core::future::Future<Output = #output>,
        > = __asyncheck_body;
        #builder.run(__asyncheck_body)
    };
    quote! {
        #[::core::prelude::v1::test]
        #(#attrs)*
        #vis #sig {
            #body
        }
    }
}

/// The `TestConfig` builder chain for `config`, naming the test `name`.
pub(crate) fn runner(config: &Config, name: &syn::Ident) -> TokenStream {
    let mut builder = quote!(
        ::asyncheck::__private::TestConfig::new()
            .test_path(::core::module_path!(), ::core::stringify!(#name),)
    );
    if config.multi_thread {
        builder.extend(quote!(.multi_thread()));
    }
    if config.local {
        builder.extend(quote!(.local()));
    }
    if config.body_pauses && !config.real_time {
        builder.extend(quote!(.body_pauses_clock()));
    }
    if let Some(n) = config.worker_threads {
        builder.extend(quote!(.worker_threads(#n)));
    }
    if config.real_time {
        builder.extend(quote!(.real_time()));
    }
    if let Some(ms) = config.timeout_ms {
        builder.extend(quote!(.timeout(::core::time::Duration::from_millis(#ms))));
    }
    if let Some(ms) = config.blocking_threshold_ms {
        builder.extend(quote!(.blocking_threshold(::core::time::Duration::from_millis(#ms))));
    }
    if config.leak_check {
        builder.extend(quote!(.leak_check()));
    }
    if config.allow_task_panics {
        builder.extend(quote!(.allow_task_panics()));
    }
    match config.wall_timeout {
        None => {}
        Some(WallTimeout::Off) => builder.extend(quote!(.no_wall_timeout())),
        Some(WallTimeout::Ms(ms)) => {
            builder.extend(quote!(.wall_timeout(::core::time::Duration::from_millis(#ms))));
        }
    }
    match config.idle_limit {
        None => {}
        Some(WallTimeout::Off) => builder.extend(quote!(.no_idle_limit())),
        Some(WallTimeout::Ms(ms)) => {
            builder.extend(quote!(.idle_limit(::core::time::Duration::from_millis(#ms))));
        }
    }
    builder
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand_str(args: &str, item: &str) -> String {
        expand(args.parse().unwrap(), item.parse().unwrap()).to_string()
    }

    #[test]
    fn expansion_reaches_tokio_only_through_asyncheck() {
        let out = expand_str(
            "timeout = \"2s\", leak_check, blocking_threshold = \"50ms\"",
            "async fn t() -> Result<(), String> { Ok(()) }",
        );
        assert!(
            out.contains(":: asyncheck :: __private :: TestConfig"),
            "{out}"
        );
        assert!(
            !out.contains("tokio"),
            "expansion names tokio directly: {out}"
        );
        assert!(out.contains("from_millis (2000u64)"), "{out}");
        assert!(out.contains(". leak_check ()"), "{out}");
        assert!(!out.contains("compile_error"), "{out}");
    }

    #[test]
    fn wall_timeout_takes_a_duration_or_off_and_the_test_is_named() {
        let out = expand_str("wall_timeout = \"30s\"", "async fn t() {}");
        assert!(
            out.contains(". wall_timeout (:: core :: time :: Duration :: from_millis (30000u64))"),
            "{out}"
        );
        assert!(
            out.contains(
                ". test_path (:: core :: module_path ! () , :: core :: stringify ! (t) ,)"
            ),
            "{out}"
        );
        let out = expand_str("wall_timeout = \"off\"", "async fn t() {}");
        assert!(out.contains(". no_wall_timeout ()"), "{out}");
        let out = expand_str("wall_timeout = \"never\"", "async fn t() {}");
        assert!(
            out.contains("or \\\"off\\\" to disable the watchdog"),
            "{out}"
        );
    }

    #[test]
    fn multi_thread_implies_real_time() {
        let out = expand_str(
            "flavor = \"multi_thread\", worker_threads = 2",
            "async fn t() {}",
        );
        assert!(out.contains(". multi_thread ()"), "{out}");
        assert!(out.contains(". worker_threads (2usize)"), "{out}");
        assert!(out.contains(". real_time ()"), "{out}");
    }

    #[test]
    fn errors_keep_the_function() {
        let out = expand_str("nope", "async fn still_here() {}");
        assert!(out.contains("compile_error"), "{out}");
        assert!(out.contains("async fn still_here"), "{out}");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration_ms("250ms"), Ok(250));
        assert_eq!(parse_duration_ms("2s"), Ok(2_000));
        assert_eq!(parse_duration_ms("1m"), Ok(60_000));
        assert_eq!(parse_duration_ms("1h"), Ok(3_600_000));
        for bad in [
            "",
            "5",
            "1.5s",
            "5 s",
            "5sec",
            "0ms",
            "-1s",
            "99999999999999999999h",
        ] {
            assert!(parse_duration_ms(bad).is_err(), "{bad:?} accepted");
        }
    }
}
