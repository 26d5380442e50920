//! The outermost service layer: a panic while handling one message ends that message, not the
//! server. A request whose handler panics is answered with the JSON-RPC error `-32603` "internal
//! error: the server panicked handling METHOD: MESSAGE"; a notification's panic is only reported
//! (on stderr, by the panic hook, like every panic). The server goes on serving.
//!
//! Analysis already runs behind `catch_unwind` on the blocking pool (`handlers::analyze`); this
//! layer covers everything else a handler does on the async thread (conversions, state updates,
//! the router itself). tower-lsp-server polls every handler's future inside the future its
//! service returns, so catching a panic while polling that future catches the handler's.
//!
//! `YIN_LSP_PANIC_IN=METHOD` in the server's environment makes the handling of every `METHOD`
//! message panic, inside this layer, where a handler's panic would surface: the end-to-end test
//! (`tests/lsp/sync.rs`) uses it to check the error and that serving goes on. Nothing else sets
//! it.

use std::any::Any;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context, Poll};

use tower::Service;
use tower_lsp_server::jsonrpc::{Error, Id, Request, Response};

/// Wraps `S`, turning a panic while handling a message into an error response.
pub(crate) struct CatchPanics<S> {
    inner: S,
    /// The method whose handling panics on purpose (`YIN_LSP_PANIC_IN`), for the tests.
    panic_in: Option<String>,
}

impl<S> CatchPanics<S> {
    pub(crate) fn new(inner: S) -> CatchPanics<S> {
        CatchPanics {
            inner,
            panic_in: std::env::var("YIN_LSP_PANIC_IN").ok(),
        }
    }
}

type Answer<E> = Result<Option<Response>, E>;
type Handling<E> = Pin<Box<dyn Future<Output = Answer<E>> + Send>>;

impl<S> Service<Request> for CatchPanics<S>
where
    S: Service<Request, Response = Option<Response>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = Option<Response>;
    type Error = S::Error;
    type Future = Handling<S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let id = request.id().cloned();
        let method = request.method().to_owned();
        let handling: Handling<S::Error> = if self.panic_in.as_deref() == Some(method.as_str()) {
            Box::pin(panic_on_purpose(method.clone()))
        } else {
            let inner = &mut self.inner;
            match catch_unwind(AssertUnwindSafe(|| inner.call(request))) {
                Ok(future) => Box::pin(future),
                Err(panic) => {
                    return Box::pin(std::future::ready(Ok(answer(id, &method, &*panic))));
                }
            }
        };
        Box::pin(Unwinding {
            handling,
            id,
            method,
        })
    }
}

async fn panic_on_purpose<E>(method: String) -> Answer<E> {
    panic!("YIN_LSP_PANIC_IN={method} (a test of panic handling)")
}

/// Polls the handling of one message; a panic while polling becomes the message's answer.
struct Unwinding<E> {
    handling: Handling<E>,
    id: Option<Id>,
    method: String,
}

impl<E> Future for Unwinding<E> {
    type Output = Answer<E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Answer<E>> {
        let this = self.get_mut();
        let handling = &mut this.handling;
        match catch_unwind(AssertUnwindSafe(|| handling.as_mut().poll(cx))) {
            Ok(poll) => poll,
            // The handler's future is not polled again after its panic.
            Err(panic) => Poll::Ready(Ok(answer(this.id.take(), &this.method, &*panic))),
        }
    }
}

/// The error answering a request whose handling panicked; nothing for a notification.
fn answer(id: Option<Id>, method: &str, panic: &(dyn Any + Send)) -> Option<Response> {
    let message = message(panic);
    let mut error = Error::internal_error();
    error.message =
        format!("internal error: the server panicked handling {method}: {message}").into();
    id.map(|id| Response::from_error(id, error))
}

/// What a panic said: its payload is a `&str` or a `String` unless it came from `panic_any`.
pub(crate) fn message(panic: &(dyn Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned())
}
