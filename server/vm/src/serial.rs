//! Mobility: a session (its pending source, and the machine state with its code) as a
//! self-contained JSON document that another process loads and resumes to the same result.
//!
//! The document is flat: code nodes, functions, values, environment frames and continuation
//! frames each live in a table and refer to each other by index, so the JSON nests only a few
//! levels whatever the program built (JSON parsers limit nesting; serde_json stops at 128), and
//! sharing survives the trip (a frame shared by two continuations is written once). Tables are
//! written children first, so loading is one pass in order.
//!
//! Format (`"format": "yin-vm/1"`), documented in docs/vm.md:
//! `{format, source, next, last, code: [...], protos: [...], values: [...], envs: [...],
//! konts: [...], store: {...}, control, env, kont, steps, status}`.

use std::collections::HashMap;
use std::rc::Rc;

use edn::{Keyword, Symbol};
use serde::{Deserialize, Serialize};
use text_size::{TextRange, TextSize};

use crate::code::{Arity, Capture, Code, CodeRef, Op, Proto};
use crate::control::Control;
use crate::env::{Env, Frame};
use crate::error::{Error, ErrorKind};
use crate::kont::{KFrame, KNode, Kont, Native};
use crate::prim::Prim;
use crate::session::Session;
use crate::state::{State, Status};
use crate::store::{Cursor, GlobalInfo, Store, Stream};
use crate::value::{Closure, Continuation, Map, Value};

const FORMAT: &str = "yin-vm/2";

/// A value: scalars inline, everything else a reference into the value table.
#[derive(Serialize, Deserialize, Clone, Debug)]
#[serde(rename_all = "lowercase")]
enum V {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Ratio(i64, i64),
    Char(char),
    Str(String),
    Keyword(String),
    Symbol(String),
    Prim(String),
    Stream(u32),
    Cursor(u32),
    Atom(u32),
    Regex(String),
    Ref(u32),
}

#[derive(Serialize, Deserialize, Debug)]
#[serde(rename_all = "lowercase")]
enum Composite {
    List(Vec<V>),
    Vector(Vec<V>),
    Map(Vec<(V, V)>),
    Set(Vec<V>),
    Fn {
        proto: u32,
        captures: Vec<V>,
    },
    Partial {
        f: V,
        args: Vec<V>,
    },
    Comp(Vec<V>),
    Cont {
        id: u64,
        kont: Option<u32>,
    },
    Ex {
        message: String,
        data: V,
        cause: V,
        kind: Option<ErrorKind>,
    },
}

#[derive(Serialize, Deserialize, Debug)]
#[serde(rename_all = "lowercase")]
enum SOp {
    Const(V),
    Local(u32),
    Capture(u32),
    SelfRef,
    Global(u32),
    If(u32, u32, u32),
    Do(Vec<u32>),
    Let {
        slot: u32,
        init: u32,
        body: u32,
    },
    Fn(u32),
    Call {
        f: u32,
        args: Vec<u32>,
        tail: bool,
        inline: bool,
    },
    Recur {
        args: Vec<u32>,
        first_slot: u32,
        target: u32,
        /// `Op::Recur::in_place`: an index into `args`, or absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        in_place: Option<u32>,
    },
    Def {
        global: u32,
        value: Option<u32>,
        is_macro: bool,
    },
    And(Vec<u32>),
    Or(Vec<u32>),
    Vector(Vec<u32>),
    Map(Vec<u32>),
    Set(Vec<u32>),
    Fail(String),
}

#[derive(Serialize, Deserialize, Debug)]
struct SCode {
    id: u32,
    span: (u32, u32),
    op: SOp,
}

#[derive(Serialize, Deserialize, Debug)]
struct SArity {
    params: u32,
    rest: bool,
    slots: u32,
    names: Vec<String>,
    body: u32,
}

#[derive(Serialize, Deserialize, Debug)]
struct SProto {
    id: u32,
    name: Option<String>,
    span: (u32, u32),
    arities: Vec<SArity>,
    /// Per capture: `["local", slot]`, `["outer", index]` or `["self", 0]`.
    captures: Vec<(String, u32)>,
    capture_names: Vec<String>,
    loops: Vec<u32>,
}

#[derive(Serialize, Deserialize, Debug)]
struct SEnv {
    slots: Vec<V>,
    /// A `V::Ref` to a function value.
    closure: V,
    arity: u32,
}

#[derive(Serialize, Deserialize, Debug)]
#[serde(rename_all = "lowercase")]
enum SFrame {
    If {
        then: u32,
        otherwise: u32,
        env: u32,
    },
    Do {
        code: u32,
        next: u32,
        env: u32,
    },
    Let {
        code: u32,
        env: u32,
    },
    Args {
        code: u32,
        f: Option<V>,
        vals: Vec<V>,
        env: u32,
    },
    Def {
        code: u32,
    },
    Logic {
        code: u32,
        next: u32,
        env: u32,
    },
    Map {
        f: V,
        colls: Vec<Vec<V>>,
        idx: usize,
        acc: Vec<V>,
        span: (u32, u32),
    },
    Filter {
        f: V,
        items: Vec<V>,
        idx: usize,
        acc: Vec<V>,
        span: (u32, u32),
    },
    Reduce {
        f: V,
        items: Vec<V>,
        idx: usize,
        span: (u32, u32),
    },
    Sort {
        cmp: V,
        items: Vec<V>,
        idx: usize,
        sorted: Vec<V>,
        lo: usize,
        hi: usize,
        span: (u32, u32),
    },
    Comp {
        comp: V,
        next: usize,
        span: (u32, u32),
    },
    Update {
        map: V,
        key: V,
        span: (u32, u32),
    },
    Try {
        handler: V,
        finally: V,
        span: (u32, u32),
    },
    Finally {
        value: V,
        rethrow: bool,
        span: (u32, u32),
    },
    Swap {
        atom: u32,
        span: (u32, u32),
    },
    Lib {
        op: String,
        f: V,
        items: Vec<V>,
        idx: usize,
        acc: V,
        extra: V,
        span: (u32, u32),
    },
}

#[derive(Serialize, Deserialize, Debug)]
struct SKont {
    frame: SFrame,
    next: Option<u32>,
}

#[derive(Serialize, Deserialize, Debug)]
struct SStream {
    items: Vec<V>,
    capacity: Option<usize>,
    closed: bool,
}

#[derive(Serialize, Deserialize, Debug)]
struct SStore {
    globals: Vec<(String, bool, Option<V>)>,
    streams: Vec<SStream>,
    cursors: Vec<(u32, usize)>,
    /// Absent in documents written before atoms existed.
    #[serde(default)]
    atoms: Vec<V>,
    programs: Vec<u32>,
    next_code_id: u32,
    next_proto_id: u32,
    next_cont_id: u64,
    next_gensym: u64,
    cells: usize,
}

#[derive(Serialize, Deserialize, Debug)]
#[serde(rename_all = "lowercase")]
enum SControl {
    Eval(u32),
    Return(V),
}

#[derive(Serialize, Deserialize, Debug)]
#[serde(rename_all = "lowercase")]
enum SStatus {
    Running,
    Done(V),
    Parked(String),
    Failed {
        kind: ErrorKind,
        message: String,
        span: Option<(u32, u32)>,
    },
}

#[derive(Serialize, Deserialize, Debug)]
struct Doc {
    format: String,
    /// [`document_hash`] in hex.
    hash: String,
    source: String,
    next: usize,
    last: V,
    code: Vec<SCode>,
    protos: Vec<SProto>,
    values: Vec<Composite>,
    envs: Vec<SEnv>,
    konts: Vec<SKont>,
    store: SStore,
    control: SControl,
    env: u32,
    kont: Option<u32>,
    steps: u64,
    status: SStatus,
}

fn span_of(r: TextRange) -> (u32, u32) {
    (r.start().into(), r.end().into())
}

fn range_of((s, e): (u32, u32)) -> TextRange {
    TextRange::new(TextSize::from(s), TextSize::from(e.max(s)))
}

// ---- writing ----

/// Writes the tables. Code, functions and continuations can nest as deeply as a program makes
/// them, so they are not written where they are met: they are queued, and [`Writer::drain`]
/// writes the queue until it is empty. Only a collection's elements recurse, and
/// [`MAX_DEPTH`](crate::value::MAX_DEPTH) bounds those.
#[derive(Default)]
struct Writer {
    code: Vec<SCode>,
    code_seen: HashMap<u32, ()>,
    code_queue: Vec<CodeRef>,
    protos: Vec<SProto>,
    proto_seen: HashMap<u32, ()>,
    proto_queue: Vec<Rc<Proto>>,
    values: Vec<Composite>,
    value_seen: HashMap<usize, u32>,
    /// Continuation values whose frames are still to write: (value index, continuation).
    cont_queue: Vec<(u32, Rc<Continuation>)>,
    envs: Vec<SEnv>,
    env_seen: HashMap<usize, u32>,
    konts: Vec<SKont>,
    kont_seen: HashMap<usize, u32>,
}

impl Writer {
    fn composite(&mut self, key: usize, make: impl FnOnce(&mut Writer) -> Composite) -> V {
        if let Some(&i) = self.value_seen.get(&key) {
            return V::Ref(i);
        }
        let c = make(self);
        self.values.push(c);
        let i = self.values.len() as u32 - 1;
        self.value_seen.insert(key, i);
        V::Ref(i)
    }

    /// Recursion is bounded by the value's nesting depth (at most `MAX_DEPTH`).
    fn value(&mut self, v: &Value) -> V {
        match v {
            Value::Nil => V::Nil,
            Value::Bool(b) => V::Bool(*b),
            Value::Int(i) => V::Int(*i),
            Value::Float(f) => V::Float(*f),
            Value::Ratio(n, d) => V::Ratio(*n, *d),
            Value::Char(c) => V::Char(*c),
            Value::Str(s) => V::Str(s.to_string()),
            Value::Keyword(k) => V::Keyword(k.as_str().to_owned()),
            Value::Symbol(s) => V::Symbol(s.as_str().to_owned()),
            Value::Prim(p) => V::Prim(p.name().to_owned()),
            Value::Stream(i) => V::Stream(*i),
            Value::Cursor(i) => V::Cursor(*i),
            Value::Atom(i) => V::Atom(*i),
            Value::Regex(r) => V::Regex(r.as_str().to_owned()),
            Value::Ex(x) => self.composite(Rc::as_ptr(x) as usize, |w| Composite::Ex {
                message: x.message.to_string(),
                data: w.value(&x.data),
                cause: w.value(&x.cause),
                kind: x.kind,
            }),
            // Keyed by the first cell (every empty list is the same value, key 0): a list
            // written twice is one entry. Its elements are written flat, as a vector's are.
            Value::List(l) => self.composite(l.addr().unwrap_or(0), |w| {
                Composite::List(l.iter().map(|x| w.value(x)).collect())
            }),
            Value::Vector(s) => self.composite(Rc::as_ptr(s) as usize, |w| {
                Composite::Vector(s.items.iter().map(|x| w.value(x)).collect())
            }),
            Value::Map(m) => self.composite(Rc::as_ptr(m) as usize, |w| {
                Composite::Map(m.iter().map(|(k, v)| (w.value(k), w.value(v))).collect())
            }),
            Value::Set(s) => self.composite(Rc::as_ptr(s) as usize, |w| {
                Composite::Set(s.iter().map(|x| w.value(x)).collect())
            }),
            Value::Fn(c) => self.composite(Rc::as_ptr(c) as usize, |w| {
                let proto = w.proto(&c.proto);
                Composite::Fn {
                    proto,
                    captures: c.captures.iter().map(|x| w.value(x)).collect(),
                }
            }),
            Value::Partial(p) => self.composite(Rc::as_ptr(p) as usize, |w| Composite::Partial {
                f: w.value(&p.f),
                args: p.args.iter().map(|x| w.value(x)).collect(),
            }),
            Value::Comp(c) => self.composite(Rc::as_ptr(c) as usize, |w| {
                Composite::Comp(c.fns.iter().map(|x| w.value(x)).collect())
            }),
            Value::Cont(k) => self.composite(Rc::as_ptr(k) as usize, |w| {
                let i = w.values.len() as u32;
                w.cont_queue.push((i, k.clone()));
                // Filled in by `drain` once the frames are written.
                Composite::Cont {
                    id: k.id,
                    kont: None,
                }
            }),
        }
    }

    /// Writes everything queued, and what that queues, until nothing is left.
    fn drain(&mut self) {
        loop {
            if let Some(c) = self.code_queue.pop() {
                self.write_code(&c);
            } else if let Some(p) = self.proto_queue.pop() {
                self.write_proto(&p);
            } else if let Some((i, k)) = self.cont_queue.pop() {
                let kont = self.kont(&k.kont);
                if let Some(slot) = self.values.get_mut(i as usize) {
                    *slot = Composite::Cont { id: k.id, kont };
                }
            } else {
                break;
            }
        }
    }

    fn values(&mut self, xs: impl IntoIterator<Item = Value>) -> Vec<V> {
        xs.into_iter().map(|x| self.value(&x)).collect()
    }

    fn proto(&mut self, p: &Rc<Proto>) -> u32 {
        if self.proto_seen.insert(p.id, ()).is_none() {
            self.proto_queue.push(p.clone());
        }
        p.id
    }

    fn write_proto(&mut self, p: &Rc<Proto>) {
        let arities = p
            .arities
            .iter()
            .map(|a| SArity {
                params: a.params,
                rest: a.rest,
                slots: a.slots,
                names: a.names.iter().map(|n| n.as_str().to_owned()).collect(),
                body: self.code(&a.body),
            })
            .collect();
        let loops = p.loops.iter().map(|l| self.code(l)).collect();
        self.protos.push(SProto {
            id: p.id,
            name: p.name.as_ref().map(|n| n.as_str().to_owned()),
            span: span_of(p.span),
            arities,
            captures: p
                .captures
                .iter()
                .map(|c| match c {
                    Capture::Local(s) => ("local".to_owned(), *s),
                    Capture::Outer(i) => ("outer".to_owned(), *i),
                    Capture::SelfRef => ("self".to_owned(), 0),
                })
                .collect(),
            capture_names: p
                .capture_names
                .iter()
                .map(|n| n.as_str().to_owned())
                .collect(),
            loops,
        });
    }

    fn code(&mut self, c: &CodeRef) -> u32 {
        if self.code_seen.insert(c.id, ()).is_none() {
            self.code_queue.push(c.clone());
        }
        c.id
    }

    fn write_code(&mut self, c: &CodeRef) {
        let ids = |w: &mut Writer, xs: &[CodeRef]| xs.iter().map(|x| w.code(x)).collect::<Vec<_>>();
        let op = match &c.op {
            Op::Const(v) => SOp::Const(self.value(v)),
            Op::Local(i) => SOp::Local(*i),
            Op::Capture(i) => SOp::Capture(*i),
            Op::SelfRef => SOp::SelfRef,
            Op::Global(g) => SOp::Global(*g),
            Op::If {
                test,
                then,
                otherwise,
            } => SOp::If(self.code(test), self.code(then), self.code(otherwise)),
            Op::Do(xs) => SOp::Do(ids(self, xs)),
            Op::Let { slot, init, body } => SOp::Let {
                slot: *slot,
                init: self.code(init),
                body: self.code(body),
            },
            Op::Fn(p) => SOp::Fn(self.proto(p)),
            Op::Call {
                f,
                args,
                tail,
                inline,
            } => SOp::Call {
                f: self.code(f),
                args: ids(self, args),
                tail: *tail,
                inline: *inline,
            },
            Op::Recur {
                args,
                first_slot,
                target,
                in_place,
            } => SOp::Recur {
                args: ids(self, args),
                first_slot: *first_slot,
                target: *target,
                in_place: *in_place,
            },
            Op::Def {
                global,
                value,
                is_macro,
            } => SOp::Def {
                global: *global,
                value: value.as_ref().map(|v| self.code(v)),
                is_macro: *is_macro,
            },
            Op::And(xs) => SOp::And(ids(self, xs)),
            Op::Or(xs) => SOp::Or(ids(self, xs)),
            Op::Vector(xs) => SOp::Vector(ids(self, xs)),
            Op::Map(xs) => SOp::Map(ids(self, xs)),
            Op::Set(xs) => SOp::Set(ids(self, xs)),
            Op::Fail(m) => SOp::Fail(m.to_string()),
        };
        self.code.push(SCode {
            id: c.id,
            span: span_of(c.span),
            op,
        });
    }

    fn env(&mut self, e: &Env) -> u32 {
        let key = Rc::as_ptr(e) as usize;
        if let Some(&i) = self.env_seen.get(&key) {
            return i;
        }
        let closure = self.value(&Value::Fn(e.closure.clone()));
        let slots = e.slots.iter().map(|v| self.value(v)).collect();
        self.envs.push(SEnv {
            slots,
            closure,
            arity: e.arity,
        });
        let i = self.envs.len() as u32 - 1;
        self.env_seen.insert(key, i);
        i
    }

    /// Iterative over the list, so a million frames do not recurse.
    fn kont(&mut self, k: &Kont) -> Option<u32> {
        let mut pending = Vec::new();
        let mut cur = k.0.as_ref();
        while let Some(node) = cur {
            if self.kont_seen.contains_key(&(Rc::as_ptr(node) as usize)) {
                break;
            }
            pending.push(node.clone());
            cur = node.next.0.as_ref();
        }
        for node in pending.iter().rev() {
            let next = node
                .next
                .0
                .as_ref()
                .and_then(|n| self.kont_seen.get(&(Rc::as_ptr(n) as usize)).copied());
            let frame = self.frame(&node.frame);
            self.konts.push(SKont { frame, next });
            let i = self.konts.len() as u32 - 1;
            self.kont_seen.insert(Rc::as_ptr(node) as usize, i);
        }
        k.0.as_ref()
            .and_then(|n| self.kont_seen.get(&(Rc::as_ptr(n) as usize)).copied())
    }

    fn frame(&mut self, f: &KFrame) -> SFrame {
        match f {
            KFrame::If {
                then,
                otherwise,
                env,
            } => SFrame::If {
                then: self.code(then),
                otherwise: self.code(otherwise),
                env: self.env(env),
            },
            KFrame::Do { code, next, env } => SFrame::Do {
                code: self.code(code),
                next: *next,
                env: self.env(env),
            },
            KFrame::Let { code, env } => SFrame::Let {
                code: self.code(code),
                env: self.env(env),
            },
            KFrame::Args { code, f, vals, env } => SFrame::Args {
                code: self.code(code),
                f: f.as_ref().map(|f| self.value(f)),
                vals: vals.iter().map(|v| self.value(v)).collect(),
                env: self.env(env),
            },
            KFrame::Def { code } => SFrame::Def {
                code: self.code(code),
            },
            KFrame::Logic { code, next, env } => SFrame::Logic {
                code: self.code(code),
                next: *next,
                env: self.env(env),
            },
            KFrame::Native(n) => match &**n {
                Native::Map {
                    f,
                    colls,
                    idx,
                    acc,
                    span,
                } => SFrame::Map {
                    f: self.value(f),
                    colls: colls.iter().map(|c| self.values(c.clone())).collect(),
                    idx: *idx,
                    acc: self.values(acc.clone()),
                    span: span_of(*span),
                },
                Native::Filter {
                    f,
                    items,
                    idx,
                    acc,
                    span,
                } => SFrame::Filter {
                    f: self.value(f),
                    items: self.values(items.clone()),
                    idx: *idx,
                    acc: self.values(acc.clone()),
                    span: span_of(*span),
                },
                Native::Reduce {
                    f,
                    items,
                    idx,
                    span,
                } => SFrame::Reduce {
                    f: self.value(f),
                    items: self.values(items.clone()),
                    idx: *idx,
                    span: span_of(*span),
                },
                Native::Sort {
                    cmp,
                    items,
                    idx,
                    sorted,
                    lo,
                    hi,
                    span,
                } => SFrame::Sort {
                    cmp: self.value(cmp),
                    items: self.values(items.clone()),
                    idx: *idx,
                    sorted: self.values(sorted.clone()),
                    lo: *lo,
                    hi: *hi,
                    span: span_of(*span),
                },
                Native::Comp { comp, next, span } => SFrame::Comp {
                    comp: self.value(&Value::Comp(comp.clone())),
                    next: *next,
                    span: span_of(*span),
                },
                Native::Update { map, key, span } => SFrame::Update {
                    map: self.value(map),
                    key: self.value(key),
                    span: span_of(*span),
                },
                Native::Try {
                    handler,
                    finally,
                    span,
                } => SFrame::Try {
                    handler: self.value(handler),
                    finally: self.value(finally),
                    span: span_of(*span),
                },
                Native::Finally {
                    value,
                    rethrow,
                    span,
                } => SFrame::Finally {
                    value: self.value(value),
                    rethrow: *rethrow,
                    span: span_of(*span),
                },
                Native::Swap { atom, span } => SFrame::Swap {
                    atom: *atom,
                    span: span_of(*span),
                },
                Native::Lib {
                    op,
                    f,
                    items,
                    idx,
                    acc,
                    extra,
                    span,
                } => SFrame::Lib {
                    op: op.name().to_owned(),
                    f: self.value(f),
                    items: self.values(items.clone()),
                    idx: *idx,
                    acc: self.value(acc),
                    extra: self.value(extra),
                    span: span_of(*span),
                },
            },
        }
    }
}

/// Serialises a session (typically paused or parked) to JSON.
pub fn to_json(session: &Session) -> String {
    let mut w = Writer::default();
    let state = &session.state;
    let store = &state.store;
    let programs = store.programs.iter().map(|p| w.proto(p)).collect();
    let globals = store
        .global_info
        .iter()
        .zip(store.globals.iter())
        .map(|(info, v)| {
            (
                info.name.as_str().to_owned(),
                info.is_macro,
                v.as_ref().map(|v| w.value(v)),
            )
        })
        .collect();
    let streams = store
        .streams
        .iter()
        .map(|s| SStream {
            items: w.values(s.items.clone()),
            capacity: s.capacity,
            closed: s.closed,
        })
        .collect();
    let atoms = w.values(store.atoms.clone());
    let control = match &state.control {
        Control::Eval(c) => SControl::Eval(w.code(c)),
        Control::Return(v) => SControl::Return(w.value(v)),
    };
    let env = w.env(&state.env);
    let kont = w.kont(&state.kont);
    let status = match &state.status {
        Status::Running => SStatus::Running,
        Status::Done(v) => SStatus::Done(w.value(v)),
        Status::Parked { reason } => SStatus::Parked(reason.clone()),
        Status::Failed(e) => SStatus::Failed {
            kind: e.kind(),
            message: e.message().to_owned(),
            span: e.span().map(span_of),
        },
    };
    let last = w.value(&session.last);
    w.drain();
    let doc = Doc {
        format: FORMAT.to_owned(),
        hash: HASH_PLACEHOLDER.to_owned(),
        source: session.source.to_string(),
        next: session.next,
        last,
        code: w.code,
        protos: w.protos,
        values: w.values,
        envs: w.envs,
        konts: w.konts,
        store: SStore {
            globals,
            streams,
            cursors: store.cursors.iter().map(|c| (c.stream, c.pos)).collect(),
            atoms,
            programs,
            next_code_id: store.next_code_id,
            next_proto_id: store.next_proto_id,
            next_cont_id: store.next_cont_id,
            next_gensym: store.next_gensym,
            cells: store.cells,
        },
        control,
        env,
        kont,
        steps: state.steps,
        status,
    };
    let mut text = serde_json::to_string(&doc).unwrap_or_default();
    let hash = format!("{:016x}", document_hash(&text));
    if text.get(HASH_AT..HASH_AT + HASH_PLACEHOLDER.len()) == Some(HASH_PLACEHOLDER) {
        text.replace_range(HASH_AT..HASH_AT + HASH_PLACEHOLDER.len(), &hash);
    }
    text
}

/// `text` with its hash digits replaced by the hash of the rest, or `None` if it does not start
/// as a document does. For tests and fuzzing, which forge well-hashed hostile documents to reach
/// the validation behind the hash (the hash is a check against edits, not a secret).
pub fn rehash(text: &str) -> Option<String> {
    let digits = text.get(HASH_AT..HASH_AT + HASH_PLACEHOLDER.len())?;
    if !text.starts_with(HASH_PREFIX) || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut out = text.to_owned();
    out.replace_range(
        HASH_AT..HASH_AT + HASH_PLACEHOLDER.len(),
        &format!("{:016x}", document_hash(text)),
    );
    Some(out)
}

/// Every document starts with exactly this, then the 16 hex digits of its hash.
const HASH_PREFIX: &str = concat!(r#"{"format":""#, "yin-vm/2", r#"","hash":""#);
const HASH_AT: usize = HASH_PREFIX.len();
const HASH_PLACEHOLDER: &str = "0000000000000000";

/// FNV-1a (64 bits) of the document text with its hash digits read as the placeholder: a check
/// that the file is the one written, so an edited state is refused rather than run as another
/// program. It is not a signature (anyone can recompute it); the reader validates every
/// reference and size as well.
fn document_hash(text: &str) -> u64 {
    let fnv = |mut h: u64, bytes: &[u8]| {
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        h
    };
    let bytes = text.as_bytes();
    let end = HASH_AT + HASH_PLACEHOLDER.len();
    let h = 0xcbf2_9ce4_8422_2325;
    match (bytes.get(..HASH_AT), bytes.get(end..)) {
        (Some(head), Some(tail)) => fnv(fnv(fnv(h, head), HASH_PLACEHOLDER.as_bytes()), tail),
        _ => fnv(h, bytes),
    }
}

// ---- reading ----

fn bad(msg: impl Into<String>) -> Error {
    Error::new(
        ErrorKind::Argument,
        format!("invalid state document: {}", msg.into()),
    )
}

/// A table entry of the document: what the reader builds, one at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Node {
    Value(usize),
    Code(usize),
    Proto(usize),
    Env(usize),
    Kont(usize),
}

/// Deepest nesting of inline calls (`Op::Call` with `inline`): the machine evaluates those by
/// recursion, and the compiler only marks calls whose operands are leaves or such calls, so
/// their nesting is the source's, which the reader bounds far below this.
const MAX_INLINE_NESTING: u32 = 1_000;

/// Builds a session from a document it does not trust. Entries refer to each other by index (or
/// code and function id) in any order, so every entry is built by an explicit depth-first walk
/// ([`Reader::ensure`]): children first, a child found on the path being walked is a cycle and an
/// error, and nothing recurses on the host's stack. Building an entry only looks up its children,
/// and checks what the machine relies on: references in range, slots within their function's
/// frame, functions with sane frame sizes, inline calls nested within bounds.
struct Reader<'d> {
    doc: &'d Doc,
    code_by_id: HashMap<u32, usize>,
    proto_by_id: HashMap<u32, usize>,
    code: Vec<Option<CodeRef>>,
    /// Per code entry: how deeply inline calls nest in it.
    inline_nesting: Vec<u32>,
    protos: Vec<Option<Rc<Proto>>>,
    values: Vec<Option<Value>>,
    envs: Vec<Option<Env>>,
    konts: Vec<Option<Kont>>,
    /// Entries being walked (on the current path).
    walking: std::collections::HashSet<Node>,
    /// No frame needs more slots than the document has code entries (every local is bound by
    /// one) plus the parameters its functions name.
    max_slots: u64,
}

impl Reader<'_> {
    fn new(doc: &Doc) -> Reader<'_> {
        let names: u64 = doc
            .protos
            .iter()
            .flat_map(|p| &p.arities)
            .map(|a| a.names.len() as u64)
            .sum();
        Reader {
            doc,
            code_by_id: doc
                .code
                .iter()
                .enumerate()
                .map(|(i, c)| (c.id, i))
                .collect(),
            proto_by_id: doc
                .protos
                .iter()
                .enumerate()
                .map(|(i, p)| (p.id, i))
                .collect(),
            code: vec![None; doc.code.len()],
            inline_nesting: vec![0; doc.code.len()],
            protos: vec![None; doc.protos.len()],
            values: vec![None; doc.values.len()],
            envs: vec![None; doc.envs.len()],
            konts: vec![None; doc.konts.len()],
            walking: std::collections::HashSet::new(),
            max_slots: doc.code.len() as u64 + names + 16,
        }
    }

    fn built(&self, n: Node) -> bool {
        match n {
            Node::Value(i) => matches!(self.values.get(i), Some(Some(_))),
            Node::Code(i) => matches!(self.code.get(i), Some(Some(_))),
            Node::Proto(i) => matches!(self.protos.get(i), Some(Some(_))),
            Node::Env(i) => matches!(self.envs.get(i), Some(Some(_))),
            Node::Kont(i) => matches!(self.konts.get(i), Some(Some(_))),
        }
    }

    /// Builds `root` and everything it refers to, children first, without recursion.
    fn ensure(&mut self, root: Node) -> Result<(), Error> {
        let mut stack = vec![(root, false)];
        let mut deps = Vec::new();
        while let Some((n, children_done)) = stack.pop() {
            if self.built(n) {
                continue;
            }
            if children_done {
                self.build(n)?;
                self.walking.remove(&n);
                continue;
            }
            // Any entry met again while its walk is open is its own descendant.
            if !self.walking.insert(n) {
                return Err(bad("a reference cycle"));
            }
            stack.push((n, true));
            deps.clear();
            self.deps(n, &mut deps)?;
            stack.extend(
                deps.iter()
                    .filter(|d| !self.built(**d))
                    .map(|d| (*d, false)),
            );
        }
        Ok(())
    }

    fn code_node(&self, id: u32) -> Result<Node, Error> {
        self.code_by_id
            .get(&id)
            .map(|i| Node::Code(*i))
            .ok_or_else(|| bad(format!("code {id}")))
    }

    fn proto_node(&self, id: u32) -> Result<Node, Error> {
        self.proto_by_id
            .get(&id)
            .map(|i| Node::Proto(*i))
            .ok_or_else(|| bad(format!("proto {id}")))
    }

    /// The entries `n` refers to directly.
    fn deps(&self, n: Node, out: &mut Vec<Node>) -> Result<(), Error> {
        let doc = self.doc;
        let value = |v: &V, out: &mut Vec<Node>| {
            if let V::Ref(i) = v {
                out.push(Node::Value(*i as usize));
            }
        };
        let values = |xs: &[V], out: &mut Vec<Node>| xs.iter().for_each(|x| value(x, out));
        match n {
            Node::Value(i) => match doc.values.get(i).ok_or_else(|| bad("value index"))? {
                Composite::List(xs)
                | Composite::Vector(xs)
                | Composite::Set(xs)
                | Composite::Comp(xs) => values(xs, out),
                Composite::Map(kvs) => kvs.iter().for_each(|(k, v)| {
                    value(k, out);
                    value(v, out);
                }),
                Composite::Fn { proto, captures } => {
                    out.push(self.proto_node(*proto)?);
                    values(captures, out);
                }
                Composite::Partial { f, args } => {
                    value(f, out);
                    values(args, out);
                }
                Composite::Cont { kont, .. } => out.extend(kont.map(|k| Node::Kont(k as usize))),
                Composite::Ex { data, cause, .. } => {
                    value(data, out);
                    value(cause, out);
                }
            },
            Node::Code(i) => {
                let c = doc.code.get(i).ok_or_else(|| bad("code index"))?;
                let codes = |ids: &[u32], out: &mut Vec<Node>| -> Result<(), Error> {
                    for id in ids {
                        out.push(self.code_node(*id)?);
                    }
                    Ok(())
                };
                match &c.op {
                    SOp::Const(v) => value(v, out),
                    SOp::Local(_)
                    | SOp::Capture(_)
                    | SOp::SelfRef
                    | SOp::Global(_)
                    | SOp::Fail(_) => {}
                    SOp::If(t, a, b) => codes(&[*t, *a, *b], out)?,
                    SOp::Let { init, body, .. } => codes(&[*init, *body], out)?,
                    SOp::Fn(p) => out.push(self.proto_node(*p)?),
                    SOp::Call { f, args, .. } => {
                        codes(&[*f], out)?;
                        codes(args, out)?;
                    }
                    SOp::Def { value, .. } => codes(value.as_slice(), out)?,
                    SOp::Recur { args: xs, .. }
                    | SOp::Do(xs)
                    | SOp::And(xs)
                    | SOp::Or(xs)
                    | SOp::Vector(xs)
                    | SOp::Map(xs)
                    | SOp::Set(xs) => codes(xs, out)?,
                }
            }
            Node::Proto(i) => {
                let p = doc.protos.get(i).ok_or_else(|| bad("proto index"))?;
                for id in p
                    .arities
                    .iter()
                    .map(|a| a.body)
                    .chain(p.loops.iter().copied())
                {
                    out.push(self.code_node(id)?);
                }
            }
            Node::Env(i) => {
                let e = doc.envs.get(i).ok_or_else(|| bad("env index"))?;
                value(&e.closure, out);
                values(&e.slots, out);
            }
            Node::Kont(i) => {
                let k = doc.konts.get(i).ok_or_else(|| bad("continuation index"))?;
                out.extend(k.next.map(|n| Node::Kont(n as usize)));
                self.frame_deps(&k.frame, out)?;
            }
        }
        Ok(())
    }

    fn frame_deps(&self, f: &SFrame, out: &mut Vec<Node>) -> Result<(), Error> {
        let value = |v: &V, out: &mut Vec<Node>| {
            if let V::Ref(i) = v {
                out.push(Node::Value(*i as usize));
            }
        };
        let values = |xs: &[V], out: &mut Vec<Node>| xs.iter().for_each(|x| value(x, out));
        match f {
            SFrame::If {
                then,
                otherwise,
                env,
            } => {
                out.push(self.code_node(*then)?);
                out.push(self.code_node(*otherwise)?);
                out.push(Node::Env(*env as usize));
            }
            SFrame::Do { code, env, .. }
            | SFrame::Let { code, env }
            | SFrame::Logic { code, env, .. } => {
                out.push(self.code_node(*code)?);
                out.push(Node::Env(*env as usize));
            }
            SFrame::Args { code, f, vals, env } => {
                out.push(self.code_node(*code)?);
                if let Some(f) = f {
                    value(f, out);
                }
                values(vals, out);
                out.push(Node::Env(*env as usize));
            }
            SFrame::Def { code } => out.push(self.code_node(*code)?),
            SFrame::Map { f, colls, acc, .. } => {
                value(f, out);
                colls.iter().for_each(|c| values(c, out));
                values(acc, out);
            }
            SFrame::Filter { f, items, acc, .. } => {
                value(f, out);
                values(items, out);
                values(acc, out);
            }
            SFrame::Reduce { f, items, .. } => {
                value(f, out);
                values(items, out);
            }
            SFrame::Sort {
                cmp, items, sorted, ..
            } => {
                value(cmp, out);
                values(items, out);
                values(sorted, out);
            }
            SFrame::Comp { comp, .. } => value(comp, out),
            SFrame::Update { map, key, .. } => {
                value(map, out);
                value(key, out);
            }
            SFrame::Try {
                handler, finally, ..
            } => {
                value(handler, out);
                value(finally, out);
            }
            SFrame::Finally { value: v, .. } => value(v, out),
            SFrame::Swap { .. } => {}
            SFrame::Lib {
                f,
                items,
                acc,
                extra,
                ..
            } => {
                value(f, out);
                values(items, out);
                value(acc, out);
                value(extra, out);
            }
        }
        Ok(())
    }

    /// Builds `n`, whose children are built.
    fn build(&mut self, n: Node) -> Result<(), Error> {
        let doc = self.doc;
        match n {
            Node::Value(i) => {
                let v = self.build_value(doc.values.get(i).ok_or_else(|| bad("value index"))?)?;
                self.values[i] = Some(v);
            }
            Node::Code(i) => {
                let c = doc.code.get(i).ok_or_else(|| bad("code index"))?;
                let (code, nesting) = self.build_code(c)?;
                self.code[i] = Some(code);
                self.inline_nesting[i] = nesting;
            }
            Node::Proto(i) => {
                let p = doc.protos.get(i).ok_or_else(|| bad("proto index"))?;
                let proto = self.build_proto(p)?;
                self.protos[i] = Some(proto);
            }
            Node::Env(i) => {
                let e = doc.envs.get(i).ok_or_else(|| bad("env index"))?;
                let Value::Fn(closure) = self.value(&e.closure)? else {
                    return Err(bad("an environment's closure is not a function"));
                };
                if e.arity as usize >= closure.proto.arities.len().max(1) {
                    return Err(bad("an environment's arity is not its function's"));
                }
                if e.slots.len() as u64 > self.max_slots {
                    return Err(bad("an environment with more slots than its code can use"));
                }
                let slots = self.values(&e.slots)?;
                self.envs[i] = Some(Frame::new(
                    crate::env::Slots::from_vec(slots),
                    closure,
                    e.arity,
                ));
            }
            Node::Kont(i) => {
                let k = doc.konts.get(i).ok_or_else(|| bad("continuation index"))?;
                let next = self.kont(k.next)?;
                let frame = self.frame(&k.frame)?;
                let depth = next.depth() + 1;
                self.konts[i] = Some(Kont(Some(Rc::new(KNode { frame, next, depth }))));
            }
        }
        Ok(())
    }

    fn build_value(&mut self, c: &Composite) -> Result<Value, Error> {
        Ok(match c {
            Composite::List(xs) => Value::list(self.vector(xs)?)?,
            Composite::Vector(xs) => Value::vector(self.vector(xs)?)?,
            Composite::Set(xs) => Value::set_from(self.values(xs)?)?,
            Composite::Map(kvs) => {
                let mut m = Map::default();
                for (k, v) in kvs {
                    m = m.assoc(self.value(k)?, self.value(v)?)?;
                }
                Value::Map(Rc::new(m))
            }
            Composite::Fn { proto, captures } => {
                let proto = self.proto(*proto)?;
                let captures = self.values(captures)?;
                Value::Fn(Rc::new(Closure::new(proto, captures)?))
            }
            Composite::Partial { f, args } => Value::partial(self.value(f)?, self.values(args)?)?,
            Composite::Comp(fns) => Value::comp(self.values(fns)?)?,
            Composite::Cont { id, kont } => Value::Cont(Rc::new(Continuation {
                id: *id,
                kont: self.kont(*kont)?,
            })),
            Composite::Ex {
                message,
                data,
                cause,
                kind,
            } => Value::ex(message, self.value(data)?, self.value(cause)?, *kind)?,
        })
    }

    fn build_proto(&mut self, p: &SProto) -> Result<Rc<Proto>, Error> {
        let mut arities = Vec::with_capacity(p.arities.len());
        for a in &p.arities {
            let needed = u64::from(a.params) + u64::from(a.rest);
            if needed > u64::from(a.slots) || u64::from(a.slots) > self.max_slots {
                return Err(bad(format!(
                    "function {} has a frame of {} slots for {needed} parameters",
                    p.id, a.slots
                )));
            }
            arities.push(Arity {
                params: a.params,
                rest: a.rest,
                slots: a.slots,
                names: a.names.iter().map(|n| Symbol::new(n)).collect(),
                body: self.code(a.body)?,
            });
        }
        let loops = p
            .loops
            .iter()
            .map(|l| self.code(*l))
            .collect::<Result<Vec<_>, _>>()?;
        let captures = p
            .captures
            .iter()
            .map(|(kind, n)| match kind.as_str() {
                "local" => Ok(Capture::Local(*n)),
                "outer" => Ok(Capture::Outer(*n)),
                "self" => Ok(Capture::SelfRef),
                other => Err(bad(format!("capture kind {other}"))),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Rc::new(Proto {
            id: p.id,
            name: p.name.as_deref().map(Symbol::new),
            span: range_of(p.span),
            arities,
            captures,
            capture_names: p.capture_names.iter().map(|n| Symbol::new(n)).collect(),
            loops,
        }))
    }

    fn slot(&self, slot: u64) -> Result<(), Error> {
        if slot >= self.max_slots {
            return Err(bad(format!(
                "slot {slot} is beyond any frame the code can have"
            )));
        }
        Ok(())
    }

    /// The code entry and how deeply inline calls nest in it.
    fn build_code(&mut self, c: &SCode) -> Result<(CodeRef, u32), Error> {
        let mut nesting = 0;
        let op = match &c.op {
            SOp::Const(v) => Op::Const(self.value(v)?),
            SOp::Local(i) => {
                self.slot(u64::from(*i))?;
                Op::Local(*i)
            }
            SOp::Capture(i) => Op::Capture(*i),
            SOp::SelfRef => Op::SelfRef,
            SOp::Global(g) => Op::Global(*g),
            SOp::If(t, a, b) => Op::If {
                test: self.code(*t)?,
                then: self.code(*a)?,
                otherwise: self.code(*b)?,
            },
            SOp::Do(xs) => Op::Do(self.codes(xs)?),
            SOp::Let { slot, init, body } => {
                self.slot(u64::from(*slot))?;
                Op::Let {
                    slot: *slot,
                    init: self.code(*init)?,
                    body: self.code(*body)?,
                }
            }
            SOp::Fn(p) => Op::Fn(self.proto(*p)?),
            SOp::Call {
                f,
                args,
                tail,
                inline,
            } => {
                if *inline {
                    for a in args {
                        let Node::Code(i) = self.code_node(*a)? else {
                            continue;
                        };
                        nesting = nesting.max(self.inline_nesting.get(i).copied().unwrap_or(0));
                    }
                    nesting += 1;
                    if nesting > MAX_INLINE_NESTING {
                        return Err(bad("inline calls nested too deeply"));
                    }
                }
                Op::Call {
                    f: self.code(*f)?,
                    args: self.codes(args)?,
                    tail: *tail,
                    inline: *inline,
                }
            }
            SOp::Recur {
                args,
                first_slot,
                target,
                in_place,
            } => {
                self.slot(u64::from(*first_slot) + args.len() as u64)?;
                if in_place.is_some_and(|j| j as usize >= args.len()) {
                    return Err(bad("recur: in-place operand out of range"));
                }
                Op::Recur {
                    args: self.codes(args)?,
                    first_slot: *first_slot,
                    target: *target,
                    in_place: *in_place,
                }
            }
            SOp::Def {
                global,
                value,
                is_macro,
            } => Op::Def {
                global: *global,
                value: match value {
                    Some(v) => Some(self.code(*v)?),
                    None => None,
                },
                is_macro: *is_macro,
            },
            SOp::And(xs) => Op::And(self.codes(xs)?),
            SOp::Or(xs) => Op::Or(self.codes(xs)?),
            SOp::Vector(xs) => Op::Vector(self.codes(xs)?),
            SOp::Map(xs) => Op::Map(self.codes(xs)?),
            SOp::Set(xs) => Op::Set(self.codes(xs)?),
            SOp::Fail(m) => Op::Fail(Rc::from(m.as_str())),
        };
        let code = Rc::new(Code {
            id: c.id,
            span: range_of(c.span),
            op,
        });
        Ok((code, nesting))
    }

    // Lookups of built entries: each is an error (never a recursion) if the walk missed one.

    fn value(&self, v: &V) -> Result<Value, Error> {
        Ok(match v {
            V::Nil => Value::Nil,
            V::Bool(b) => Value::Bool(*b),
            V::Int(i) => Value::Int(*i),
            V::Float(f) => Value::Float(*f),
            V::Ratio(n, d) => Value::Ratio(*n, *d),
            V::Char(c) => Value::Char(*c),
            V::Str(s) => Value::str(s),
            V::Keyword(k) => Value::Keyword(Keyword::new(k)),
            V::Symbol(s) => Value::Symbol(Symbol::new(s)),
            V::Prim(name) => Value::Prim(
                *Prim::ALL
                    .iter()
                    .find(|p| p.name() == name)
                    .ok_or_else(|| bad(format!("unknown primitive {name}")))?,
            ),
            V::Stream(i) => Value::Stream(*i),
            V::Cursor(i) => Value::Cursor(*i),
            V::Atom(i) => Value::Atom(*i),
            V::Regex(r) => crate::regex::compile("regex", r)?,
            V::Ref(i) => match self.values.get(*i as usize) {
                Some(Some(v)) => v.clone(),
                _ => return Err(bad("value index")),
            },
        })
    }

    fn values(&self, xs: &[V]) -> Result<Vec<Value>, Error> {
        xs.iter().map(|x| self.value(x)).collect()
    }

    fn vector(&self, xs: &[V]) -> Result<imbl::Vector<Value>, Error> {
        xs.iter().map(|x| self.value(x)).collect()
    }

    fn code(&self, id: u32) -> Result<CodeRef, Error> {
        match self.code_by_id.get(&id).and_then(|i| self.code.get(*i)) {
            Some(Some(c)) => Ok(c.clone()),
            _ => Err(bad(format!("code {id}"))),
        }
    }

    fn codes(&self, ids: &[u32]) -> Result<Rc<[CodeRef]>, Error> {
        ids.iter()
            .map(|i| self.code(*i))
            .collect::<Result<Vec<_>, _>>()
            .map(Rc::from)
    }

    fn proto(&self, id: u32) -> Result<Rc<Proto>, Error> {
        match self.proto_by_id.get(&id).and_then(|i| self.protos.get(*i)) {
            Some(Some(p)) => Ok(p.clone()),
            _ => Err(bad(format!("proto {id}"))),
        }
    }

    fn env(&self, i: u32) -> Result<Env, Error> {
        match self.envs.get(i as usize) {
            Some(Some(e)) => Ok(e.clone()),
            _ => Err(bad("env index")),
        }
    }

    fn kont(&self, i: Option<u32>) -> Result<Kont, Error> {
        match i {
            None => Ok(Kont::default()),
            Some(i) => match self.konts.get(i as usize) {
                Some(Some(k)) => Ok(k.clone()),
                _ => Err(bad("continuation index")),
            },
        }
    }

    // Entry points for the document's roots: build, then look up.

    fn root_value(&mut self, v: &V) -> Result<Value, Error> {
        if let V::Ref(i) = v {
            self.ensure(Node::Value(*i as usize))?;
        }
        self.value(v)
    }

    fn root_values(&mut self, xs: &[V]) -> Result<imbl::Vector<Value>, Error> {
        xs.iter().map(|x| self.root_value(x)).collect()
    }

    fn root_code(&mut self, id: u32) -> Result<CodeRef, Error> {
        let n = self.code_node(id)?;
        self.ensure(n)?;
        self.code(id)
    }

    fn root_proto(&mut self, id: u32) -> Result<Rc<Proto>, Error> {
        let n = self.proto_node(id)?;
        self.ensure(n)?;
        self.proto(id)
    }

    fn root_env(&mut self, i: u32) -> Result<Env, Error> {
        self.ensure(Node::Env(i as usize))?;
        self.env(i)
    }

    fn root_kont(&mut self, i: Option<u32>) -> Result<Kont, Error> {
        if let Some(i) = i {
            self.ensure(Node::Kont(i as usize))?;
        }
        self.kont(i)
    }

    fn frame(&mut self, f: &SFrame) -> Result<KFrame, Error> {
        let native = |n| Ok(KFrame::Native(Box::new(n)));
        match f {
            SFrame::If {
                then,
                otherwise,
                env,
            } => Ok(KFrame::If {
                then: self.code(*then)?,
                otherwise: self.code(*otherwise)?,
                env: self.env(*env)?,
            }),
            SFrame::Do { code, next, env } => Ok(KFrame::Do {
                code: self.code(*code)?,
                next: *next,
                env: self.env(*env)?,
            }),
            SFrame::Let { code, env } => Ok(KFrame::Let {
                code: self.code(*code)?,
                env: self.env(*env)?,
            }),
            SFrame::Args { code, f, vals, env } => Ok(KFrame::Args {
                code: self.code(*code)?,
                f: match f {
                    Some(f) => Some(self.value(f)?),
                    None => None,
                },
                vals: crate::env::Slots::from_vec(self.values(vals)?),
                env: self.env(*env)?,
            }),
            SFrame::Def { code } => Ok(KFrame::Def {
                code: self.code(*code)?,
            }),
            SFrame::Logic { code, next, env } => Ok(KFrame::Logic {
                code: self.code(*code)?,
                next: *next,
                env: self.env(*env)?,
            }),
            SFrame::Map {
                f,
                colls,
                idx,
                acc,
                span,
            } => native(Native::Map {
                f: self.value(f)?,
                colls: colls
                    .iter()
                    .map(|c| self.vector(c))
                    .collect::<Result<Vec<_>, _>>()?,
                idx: *idx,
                acc: self.vector(acc)?,
                span: range_of(*span),
            }),
            SFrame::Filter {
                f,
                items,
                idx,
                acc,
                span,
            } => native(Native::Filter {
                f: self.value(f)?,
                items: self.vector(items)?,
                idx: *idx,
                acc: self.vector(acc)?,
                span: range_of(*span),
            }),
            SFrame::Reduce {
                f,
                items,
                idx,
                span,
            } => native(Native::Reduce {
                f: self.value(f)?,
                items: self.vector(items)?,
                idx: *idx,
                span: range_of(*span),
            }),
            SFrame::Sort {
                cmp,
                items,
                idx,
                sorted,
                lo,
                hi,
                span,
            } => native(Native::Sort {
                cmp: self.value(cmp)?,
                items: self.vector(items)?,
                idx: *idx,
                sorted: self.vector(sorted)?,
                lo: *lo,
                hi: *hi,
                span: range_of(*span),
            }),
            SFrame::Comp { comp, next, span } => {
                let Value::Comp(comp) = self.value(comp)? else {
                    return Err(bad("a comp frame without comp"));
                };
                native(Native::Comp {
                    comp,
                    next: *next,
                    span: range_of(*span),
                })
            }
            SFrame::Update { map, key, span } => native(Native::Update {
                map: self.value(map)?,
                key: self.value(key)?,
                span: range_of(*span),
            }),
            SFrame::Try {
                handler,
                finally,
                span,
            } => native(Native::Try {
                handler: self.value(handler)?,
                finally: self.value(finally)?,
                span: range_of(*span),
            }),
            SFrame::Finally {
                value,
                rethrow,
                span,
            } => native(Native::Finally {
                value: self.value(value)?,
                rethrow: *rethrow,
                span: range_of(*span),
            }),
            SFrame::Swap { atom, span } => native(Native::Swap {
                atom: *atom,
                span: range_of(*span),
            }),
            SFrame::Lib {
                op,
                f,
                items,
                idx,
                acc,
                extra,
                span,
            } if *idx > u32::MAX as usize => Err(bad(format!("library frame {op} at {idx}"))),
            SFrame::Lib {
                op,
                f,
                items,
                idx,
                acc,
                extra,
                span,
            } => native(Native::Lib {
                op: crate::hof::LibOp::from_name(op)
                    .ok_or_else(|| bad(format!("unknown library frame {op}")))?,
                f: self.value(f)?,
                items: self.vector(items)?,
                idx: *idx,
                acc: self.value(acc)?,
                extra: self.value(extra)?,
                span: range_of(*span),
            }),
        }
    }
}

/// Loads a session written by [`to_json`]. A malformed, edited or hostile document is an error,
/// never a panic, a hang on the host's stack or another program: the hash must match, and every
/// entry is validated as it is built ([`Reader`]).
pub fn from_json(text: &str) -> Result<Session, Error> {
    let doc: Doc = serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
    if doc.format != FORMAT {
        return Err(bad(format!("format {:?}, expected {FORMAT:?}", doc.format)));
    }
    if !text.starts_with(HASH_PREFIX)
        || u64::from_str_radix(&doc.hash, 16).ok() != Some(document_hash(text))
        || doc.hash.len() != HASH_PLACEHOLDER.len()
    {
        return Err(bad(
            "the hash does not match the contents: the file was edited or damaged",
        ));
    }
    let mut r = Reader::new(&doc);
    let mut store = Store::default();
    let mut globals = Vec::with_capacity(doc.store.globals.len());
    for (i, (name, is_macro, v)) in doc.store.globals.iter().enumerate() {
        let sym = Symbol::new(name);
        store.global_ids.insert(sym.clone(), i as u32);
        store.global_info.push_back(GlobalInfo {
            name: sym,
            is_macro: *is_macro,
            defined: 0,
        });
        globals.push(match v {
            Some(v) => Some(r.root_value(v)?),
            None => None,
        });
    }
    store.globals = Rc::new(globals);
    for s in &doc.store.streams {
        store.streams.push_back(Stream {
            items: r.root_values(&s.items)?,
            capacity: s.capacity,
            closed: s.closed,
        });
    }
    for &(stream, pos) in &doc.store.cursors {
        store.cursors.push_back(Cursor { stream, pos });
    }
    for v in &doc.store.atoms {
        let v = r.root_value(v)?;
        store.atoms.push_back(v);
    }
    for &p in &doc.store.programs {
        let proto = r.root_proto(p)?;
        store.programs.push_back(proto);
    }
    // The machine counts ids up without checking: a counter edited to the top of its range would
    // overflow at the next function compiled (a panic, or two functions with one id). No run
    // gets near half the range, so a counter past it was not written by one.
    if doc.store.next_code_id > u32::MAX / 2
        || doc.store.next_proto_id > u32::MAX / 2
        || doc.store.next_cont_id > u64::MAX / 2
    {
        return Err(bad("an id counter out of range"));
    }
    store.next_code_id = doc.store.next_code_id;
    store.next_proto_id = doc.store.next_proto_id;
    store.next_cont_id = doc.store.next_cont_id;
    store.next_gensym = doc.store.next_gensym;
    store.cells = doc.store.cells;
    let control = match &doc.control {
        SControl::Eval(c) => Control::Eval(r.root_code(*c)?),
        SControl::Return(v) => Control::Return(r.root_value(v)?),
    };
    let env = r.root_env(doc.env)?;
    let kont = r.root_kont(doc.kont)?;
    let status = match &doc.status {
        SStatus::Running => Status::Running,
        SStatus::Done(v) => Status::Done(r.root_value(v)?),
        SStatus::Parked(reason) => Status::Parked {
            reason: reason.clone(),
        },
        SStatus::Failed {
            kind,
            message,
            span,
        } => {
            let e = Error::new(*kind, message.clone());
            Status::Failed(match span {
                Some(s) => e.at(range_of(*s)),
                None => e,
            })
        }
    };
    let last = r.root_value(&doc.last)?;
    let state = State::from_parts(control, env, kont, store, doc.steps, status);
    Session::restore(&doc.source, doc.next, state, last)
}
