//! The core library's host primitives (docs/language.md).
//!
//! Most primitives are *simple*: they compute a value from their arguments and touch nothing else,
//! so the machine may run them inline while evaluating an expression. The others reach the store
//! (streams, `gensym`), the output capability (`print`), or the machine itself: higher-order
//! functions push a frame and ask the machine to call a function ([`Flow::Push`]), `apply` tail
//! calls, `call/cc` captures the continuation and `park` and blocking stream operations park.
//! Nothing here can reach files, the network, processes or the environment.

use std::cmp::Ordering;
use std::rc::Rc;
use std::sync::OnceLock;

use imbl::Vector;
use text_size::TextRange;

use crate::error::{Error, ErrorKind};
use crate::hof::LibOp;
use crate::kont::{KFrame, Native};
use crate::limits::Limits;
use crate::list::List;
use crate::num::{self, IntDiv};
use crate::output::Output;
use crate::printer::{pr_capped, pr_str, print_str, str_form};
use crate::store::{Cursor, Store, Stream};
use crate::value::{Map, Seq, Value};

/// Primitives and the names they are bound to. Arities and docs are not repeated here: they are
/// `syntax::core::CORE`'s, the one table the editor and the machine share.
macro_rules! prims {
    ($($variant:ident $name:literal;)*) => {
        /// A host primitive.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Prim { $($variant),* }

        impl Prim {
            /// Every primitive, in the order they are bound as globals.
            pub const ALL: &'static [Prim] = &[$(Prim::$variant),*];

            /// The global name it is bound to.
            pub fn name(self) -> &'static str {
                match self { $(Prim::$variant => $name),* }
            }

        }
    };
}

impl Prim {
    /// Minimum and (if bounded) maximum argument count, from the core table.
    pub fn arity(self) -> (usize, Option<usize>) {
        static ARITIES: OnceLock<Vec<(usize, Option<usize>)>> = OnceLock::new();
        let arities = ARITIES.get_or_init(|| {
            Prim::ALL
                .iter()
                .map(|p| {
                    // A primitive missing from the core table takes any arguments; the
                    // `primitives_match_the_core_table` test keeps the two tables equal.
                    syntax::core::core_fn(p.name())
                        .map_or((0, None), |c| (c.min_arity, c.max_arity))
                })
                .collect()
        });
        arities.get(self as usize).copied().unwrap_or((0, None))
    }
}

prims! {
    Add "+";
    Sub "-";
    Mul "*";
    Div "/";
    Eq "=";
    NumEq "==";
    NotEqBang "!=";
    NotEq "not=";
    Lt "<";
    Gt ">";
    Le "<=";
    Ge ">=";
    Not "not";
    Inc "inc";
    Dec "dec";
    Quot "quot";
    Rem "rem";
    Mod "mod";
    Min "min";
    Max "max";
    Abs "abs";
    IsNil "nil?";
    IsSome "some?";
    IsZero "zero?";
    IsPos "pos?";
    IsNeg "neg?";
    IsEven "even?";
    IsOdd "odd?";
    IsNumber "number?";
    IsString "string?";
    IsKeyword "keyword?";
    IsSymbol "symbol?";
    IsFn "fn?";
    IsVector "vector?";
    IsMap "map?";
    IsSet "set?";
    IsEmpty "empty?";
    Str "str";
    Name "name";
    Keyword "keyword";
    Symbol "symbol";
    Subs "subs";
    Count "count";
    First "first";
    Rest "rest";
    Next "next";
    Last "last";
    Nth "nth";
    Cons "cons";
    Conj "conj";
    Concat "concat";
    Seq "seq";
    Vec "vec";
    Vector "vector";
    List "list";
    HashMap "hash-map";
    HashSet "hash-set";
    Get "get";
    GetIn "get-in";
    Assoc "assoc";
    AssocIn "assoc-in";
    Dissoc "dissoc";
    Update "update";
    Contains "contains?";
    Keys "keys";
    Vals "vals";
    Into "into";
    Range "range";
    Reverse "reverse";
    Sort "sort";
    MapFn "map";
    Filter "filter";
    Reduce "reduce";
    Apply "apply";
    Identity "identity";
    CompFn "comp";
    PartialFn "partial";
    Print "print";
    Println "println";
    Prn "prn";
    Gensym "gensym";
    StreamMake "stream/make";
    StreamPut "stream/put!";
    StreamCursor "stream/cursor";
    StreamNext "stream/next!";
    StreamClose "stream/close!";
    CallCc "call/cc";
    Park "park";
    Resume "resume";
    Atom "atom";
    Deref "deref";
    Reset "reset!";
    Swap "swap!";
    CompareAndSet "compare-and-set!";
    ExInfo "ex-info";
    ExData "ex-data";
    ExMessage "ex-message";
    Throw "throw";
    Try "try*";
    Take "take";
    Drop "drop";
    TakeWhile "take-while";
    DropWhile "drop-while";
    Iterate "iterate";
    Repeat "repeat";
    Repeatedly "repeatedly";
    Cycle "cycle";
    Some "some";
    Every "every?";
    NotAny "not-any?";
    Remove "remove";
    Keep "keep";
    Mapcat "mapcat";
    MapIndexed "map-indexed";
    Partition "partition";
    PartitionBy "partition-by";
    GroupBy "group-by";
    Frequencies "frequencies";
    Distinct "distinct";
    Interleave "interleave";
    Interpose "interpose";
    SortBy "sort-by";
    Zipmap "zipmap";
    Merge "merge";
    MergeWith "merge-with";
    SelectKeys "select-keys";
    UpdateIn "update-in";
    Juxt "juxt";
    Constantly "constantly";
    Complement "complement";
    Fnil "fnil";
    MaxKey "max-key";
    MinKey "min-key";
    Disj "disj";
    SetUnion "clojure.set/union";
    SetIntersection "clojure.set/intersection";
    SetDifference "clojure.set/difference";
    ToInt "int";
    ToChar "char";
    ToLong "long";
    ToDouble "double";
    Compare "compare";
    Hash "hash";
    Format "format";
    PrStr "pr-str";
    PrnStr "prn-str";
    PrintStr "print-str";
    StrSplit "clojure.string/split";
    StrJoin "clojure.string/join";
    StrUpper "clojure.string/upper-case";
    StrLower "clojure.string/lower-case";
    StrTrim "clojure.string/trim";
    StrIncludes "clojure.string/includes?";
    StrReplace "clojure.string/replace";
    StrStartsWith "clojure.string/starts-with?";
    StrEndsWith "clojure.string/ends-with?";
    StrBlank "clojure.string/blank?";
    StrSplitLines "clojure.string/split-lines";
    RePattern "re-pattern";
    ReFind "re-find";
    ReMatches "re-matches";
    ReSeq "re-seq";
    JuxtFn "juxt-fn";
    ComplementFn "complement-fn";
    ConstantlyFn "constantly-fn";
    FnilFn "fnil-fn";
    Producer "producer";
    Second "second";
    Ffirst "ffirst";
    Butlast "butlast";
    DropLast "drop-last";
    TakeLast "take-last";
    Nthrest "nthrest";
    Nthnext "nthnext";
    NotEmpty "not-empty";
    Empty "empty";
    Flatten "flatten";
    Subvec "subvec";
    Dedupe "dedupe";
    ListStar "list*";
    SplitAt "split-at";
    PartitionAll "partition-all";
    Peek "peek";
    Pop "pop";
    Key "key";
    Val "val";
    Find "find";
    Rseq "rseq";
    SetFn "set";
    Doall "doall";
    Dorun "dorun";
    IsSeq "seq?";
    IsList "list?";
    IsColl "coll?";
    IsSequential "sequential?";
    IsAssociative "associative?";
    IsInteger "integer?";
    IsInt "int?";
    IsPosInt "pos-int?";
    IsNegInt "neg-int?";
    IsNatInt "nat-int?";
    IsFloat "float?";
    IsDouble "double?";
    IsChar "char?";
    IsBoolean "boolean?";
    IsTrue "true?";
    IsFalse "false?";
    IsDistinct "distinct?";
    Identical "identical?";
    Boolean "boolean";
    Namespace "namespace";
    BitAnd "bit-and";
    BitOr "bit-or";
    BitXor "bit-xor";
    BitShiftLeft "bit-shift-left";
    BitShiftRight "bit-shift-right";
    ParseLong "parse-long";
    ParseDouble "parse-double";
    MathSqrt "Math/sqrt";
    MathPow "Math/pow";
    MathAbs "Math/abs";
    MathFloor "Math/floor";
    MathCeil "Math/ceil";
    MathRound "Math/round";
    ToFloat "float";
    ParseInt "Integer/parseInt";
    ParseLongJava "Long/parseLong";
    ParseDoubleJava "Double/parseDouble";
    IsDigit "Character/isDigit";
    IsLetter "Character/isLetter";
    IsWhitespace "Character/isWhitespace";
    IsUpperCase "Character/isUpperCase";
    IsLowerCase "Character/isLowerCase";
    Reduced "reduced";
    IsReduced "reduced?";
    ReducedBox "reduced-box";
    ExCause "ex-cause";
    Require "require";
    SetSubset "clojure.set/subset?";
    SetSuperset "clojure.set/superset?";
    SetMapInvert "clojure.set/map-invert";
    StrReverse "clojure.string/reverse";
    StrCapitalize "clojure.string/capitalize";
    StrIndexOf "clojure.string/index-of";
    StrLastIndexOf "clojure.string/last-index-of";
    StrTriml "clojure.string/triml";
    StrTrimr "clojure.string/trimr";
    StrTrimNewline "clojure.string/trim-newline";
    Pr "pr";
    Newline "newline";
    Printf "printf";
    Mapv "mapv";
    Filterv "filterv";
    SomeFn "some-fn";
    EveryPred "every-pred";
    Memoize "memoize";
    Trampoline "trampoline";
    UpdateVals "update-vals";
    UpdateKeys "update-keys";
    Run "run!";
    SwapVals "swap-vals!";
    ResetVals "reset-vals!";
    Transduce "transduce";
    Sequence "sequence";
    Eduction "eduction";
    Completing "completing";
    Cat "cat";
    SortedMap "sorted-map";
    SortedMapBy "sorted-map-by";
    SortedSet "sorted-set";
    SortedSetBy "sorted-set-by";
    ReduceKv "reduce-kv";
    Reductions "reductions";
    KeepIndexed "keep-indexed";
    SplitWith "split-with";
    NotEvery "not-every?";
    TakeNth "take-nth";
    Comparator "comparator";
    TreeSeq "tree-seq";
    Volatile "volatile!";
    VSwap "vswap!";
    VReset "vreset!";
    Transient "transient";
    Persistent "persistent!";
    ConjBang "conj!";
    AssocBang "assoc!";
    DissocBang "dissoc!";
    DisjBang "disj!";
    PopBang "pop!";
    SetRenameKeys "clojure.set/rename-keys";
    ToUpperCase "Character/toUpperCase";
    ToLowerCase "Character/toLowerCase";
    BitNot "bit-not";
    CharDigit "Character/digit";
    StrReplaceFirst "clojure.string/replace-first";
    KvStep "kv-step";
    ReductionsStep "reductions-step";
    ComparatorFn "comparator-fn";
    ComparatorThen "comparator-then";
    ComparatorLast "comparator-last";
    StrEscape "clojure.string/escape";
    IsSorted "sorted?";
    ReplaceStitch "replace-stitch";
    LazyChunk "lazy-chunk";
    LazyOut "lazy-out";
    LazyWhile "lazy-while";
    SomeFnFn "some-fn-fn";
    EveryPredFn "every-pred-fn";
    MemoFn "memo-fn";
    MemoStore "memo-store";
    TrampolineStep "trampoline-step";
    SwapValsStore "swap-vals-store";
    Xform "xform";
    TransduceInit "transduce-init";
    ReduceTo "reduce-to";
    CompletingFn "completing-fn";
}

impl Prim {
    /// Primitives that are not globals: only the functions `juxt`, `complement`, `constantly`,
    /// `fnil`, `iterate` ... return reach them (as partial applications), so they are not in the
    /// core table and no program can name them.
    pub fn is_internal(self) -> bool {
        matches!(
            self,
            Prim::JuxtFn
                | Prim::ComplementFn
                | Prim::ConstantlyFn
                | Prim::FnilFn
                | Prim::Producer
                | Prim::ReducedBox
                | Prim::SomeFnFn
                | Prim::EveryPredFn
                | Prim::MemoFn
                | Prim::MemoStore
                | Prim::TrampolineStep
                | Prim::SwapValsStore
                | Prim::Xform
                | Prim::TransduceInit
                | Prim::ReduceTo
                | Prim::CompletingFn
                | Prim::KvStep
                | Prim::ReductionsStep
                | Prim::ComparatorFn
                | Prim::ComparatorThen
                | Prim::ComparatorLast
                | Prim::LazyChunk
                | Prim::LazyOut
                | Prim::LazyWhile
                | Prim::ReplaceStitch
        )
    }
}

/// Short names the core library is also bound to: `str/join` for `clojure.string/join` and
/// `set/union` for `clojure.set/union`, since yin has no `require` to make the alias.
pub(crate) const ALIASES: &[(&str, &str)] =
    &[("str/", "clojure.string/"), ("set/", "clojure.set/")];

/// The aliased names of `p`, if it has any.
pub(crate) fn alias_of(p: Prim) -> Option<String> {
    ALIASES.iter().find_map(|(short, long)| {
        p.name()
            .strip_prefix(long)
            .map(|rest| format!("{short}{rest}"))
    })
}

/// What a primitive asks the machine to do next.
pub(crate) enum Flow {
    /// Return this value.
    Value(Value),
    /// Tail-call `f` with these arguments.
    Apply(Value, Vec<Value>),
    /// Push this frame, then call `f` with these arguments.
    Push(KFrame, Value, Vec<Value>),
    /// Call `f` with the current continuation.
    CallCc(Value),
    /// Park the program; `reason` says why.
    Park(&'static str),
    /// Abandon the current continuation for this one, delivering the value.
    Resume(Value, Value),
    /// Raise this exception: jump to the innermost `try` handler frame.
    Throw(Value),
}

/// What primitives may touch besides their arguments.
pub(crate) struct Ctx<'a> {
    pub store: &'a mut Store,
    pub limits: &'a Limits,
    pub out: &'a mut dyn Output,
    /// The call's source range, for the frames higher-order primitives push.
    pub span: TextRange,
}

impl Prim {
    /// Whether the primitive only computes a value from its arguments, so the machine may run it
    /// inline.
    pub fn is_simple(self) -> bool {
        !matches!(
            self,
            Prim::Atom
                | Prim::Deref
                | Prim::Reset
                | Prim::Swap
                | Prim::CompareAndSet
                | Prim::Throw
                | Prim::Try
                | Prim::Take
                | Prim::TakeWhile
                | Prim::DropWhile
                | Prim::Repeatedly
                | Prim::Some
                | Prim::Every
                | Prim::NotAny
                | Prim::Remove
                | Prim::Keep
                | Prim::Mapcat
                | Prim::MapIndexed
                | Prim::PartitionBy
                | Prim::GroupBy
                | Prim::SortBy
                | Prim::MergeWith
                | Prim::UpdateIn
                | Prim::MaxKey
                | Prim::MinKey
                | Prim::JuxtFn
                | Prim::ComplementFn
                | Prim::FnilFn
                | Prim::ReSeq
                | Prim::Update
                | Prim::MapFn
                | Prim::Mapv
                | Prim::Filter
                | Prim::Filterv
                | Prim::Pr
                | Prim::Newline
                | Prim::Printf
                | Prim::Reduce
                | Prim::Apply
                | Prim::Sort
                | Prim::Print
                | Prim::Println
                | Prim::Prn
                | Prim::Gensym
                | Prim::StreamMake
                | Prim::StreamPut
                | Prim::StreamCursor
                | Prim::StreamNext
                | Prim::StreamClose
                | Prim::CallCc
                | Prim::Park
                | Prim::Resume
                | Prim::Into
                | Prim::SomeFnFn
                | Prim::EveryPredFn
                | Prim::Memoize
                | Prim::MemoFn
                | Prim::MemoStore
                | Prim::Trampoline
                | Prim::TrampolineStep
                | Prim::UpdateVals
                | Prim::UpdateKeys
                | Prim::Run
                | Prim::SwapVals
                | Prim::SwapValsStore
                | Prim::ResetVals
                | Prim::Transduce
                | Prim::Sequence
                | Prim::Eduction
                | Prim::TransduceInit
                | Prim::ReduceTo
                | Prim::CompletingFn
                | Prim::Xform
                | Prim::Cat
                | Prim::StrReplace
                | Prim::ReduceKv
                | Prim::Reductions
                | Prim::KeepIndexed
                | Prim::SplitWith
                | Prim::NotEvery
                | Prim::TreeSeq
                | Prim::Volatile
                | Prim::VSwap
                | Prim::VReset
                | Prim::KvStep
                | Prim::ReductionsStep
                | Prim::ComparatorFn
                | Prim::ComparatorThen
                | Prim::ComparatorLast
                | Prim::LazyChunk
                | Prim::LazyOut
                | Prim::LazyWhile
                | Prim::ReplaceStitch
        )
    }

    pub fn check_arity(self, argc: usize) -> Result<(), Error> {
        let (min, max) = self.arity();
        if argc < min || max.is_some_and(|m| argc > m) {
            let expects = match max {
                Some(m) if m == min => min.to_string(),
                Some(m) => format!("{min} to {m}"),
                None => format!("at least {min}"),
            };
            return Err(Error::new(
                ErrorKind::Arity,
                format!(
                    "wrong arity: {} called with {argc} argument{}, expects {expects}",
                    self.name(),
                    if argc == 1 { "" } else { "s" }
                ),
            ));
        }
        Ok(())
    }
}

pub(crate) fn type_err(op: &str, expected: &str, got: &Value) -> Error {
    Error::type_error(format!(
        "{op}: expected {expected}, got {} {}",
        got.type_name(),
        pr_capped(got)
    ))
}

/// An error of the arithmetic a function is built on, told in the words of the function the
/// program called: `(inc i)` overflowing says `inc`, not `+`.
fn rename(e: Error, from: &str, to: &str) -> Error {
    if e.kind() == ErrorKind::Overflow {
        return Error::new(
            ErrorKind::Overflow,
            e.message()
                .replace(&format!("in {from}"), &format!("in {to}")),
        );
    }
    e
}

fn too_large(limits: &Limits) -> Error {
    Error::new(
        ErrorKind::Limit,
        format!(
            "collection limit reached: at most {} elements per collection",
            limits.max_items
        ),
    )
}

/// Refuses a collection of `n` elements past the limit (every builder of collections asks).
pub(crate) fn check_len(n: usize, limits: &Limits) -> Result<(), Error> {
    if n > limits.max_items {
        return Err(too_large(limits));
    }
    Ok(())
}

/// The elements of anything sequential: nil, lists, vectors, maps (as `[k v]` vectors), sets,
/// strings (as characters).
pub(crate) fn items(op: &str, v: &Value) -> Result<Vector<Value>, Error> {
    match v {
        Value::Nil => Ok(Vector::new()),
        Value::List(l) => Ok(l.to_vector()),
        Value::Vector(s) => Ok(s.items.clone()),
        Value::Set(s) => Ok(s.iter().cloned().collect()),
        Value::Map(m) => m
            .iter()
            .map(|(k, v)| Value::vector(Vector::from(vec![k.clone(), v.clone()])))
            .collect(),
        Value::Str(s) => Ok(s.chars().map(Value::Char).collect()),
        other => match crate::hof::as_producer(other) {
            Some((kind, _)) => Err(crate::hof::infinite(op, kind)),
            None => Err(type_err(op, "a collection", other)),
        },
    }
}

fn int(op: &str, v: &Value) -> Result<i64, Error> {
    match v {
        Value::Int(i) => Ok(*i),
        other => Err(type_err(op, "an integer", other)),
    }
}

fn index(op: &str, v: &Value) -> Result<usize, Error> {
    let i = int(op, v)?;
    usize::try_from(i).map_err(|_| Error::argument(format!("{op}: index {i} is out of bounds")))
}

/// The elements after the first of `coll` (not a list or vector: [`seq1`] answers for those).
fn tail_of(coll: &Value, xs: Vector<Value>) -> Result<Value, Error> {
    match coll {
        Value::Vector(s) => Ok(Value::vector_bounded(xs, s.depth)),
        _ => Value::vector(xs),
    }
}

fn vector(items: Vector<Value>, limits: &Limits) -> Result<Value, Error> {
    check_len(items.len(), limits)?;
    Value::vector(items)
}

fn list(items: Vector<Value>, limits: &Limits) -> Result<Value, Error> {
    check_len(items.len(), limits)?;
    Value::list(items)
}

fn fold_num(
    args: &[Value],
    unit: i64,
    op: &str,
    f: fn(&Value, &Value) -> Result<Value, Error>,
) -> Result<Value, Error> {
    match args {
        [] => Ok(Value::Int(unit)),
        [x] => {
            num::check(x, op)?;
            f(&Value::Int(unit), x)
        }
        [first, rest @ ..] => {
            let mut acc = first.clone();
            for x in rest {
                acc = f(&acc, x)?;
            }
            Ok(acc)
        }
    }
}

fn chain(args: &[Value], op: &str, ok: fn(Ordering) -> bool) -> Result<Value, Error> {
    for x in args {
        num::check(x, op)?;
    }
    let mut result = true;
    for w in args.windows(2) {
        match num::compare(&w[0], &w[1]) {
            Some(o) if ok(o) => {}
            _ => result = false,
        }
    }
    Ok(Value::Bool(result))
}

fn all_equal(args: &[Value]) -> bool {
    args.windows(2).all(|w| w[0] == w[1])
}

pub(crate) fn get(coll: &Value, key: &Value) -> Option<Value> {
    match coll {
        Value::Map(m) => m.get(key).cloned(),
        Value::Set(s) => s.contains(key).then(|| key.clone()),
        Value::Vector(s) => match key {
            Value::Int(i) => usize::try_from(*i)
                .ok()
                .and_then(|i| s.items.get(i).cloned()),
            _ => None,
        },
        Value::Str(s) => match key {
            Value::Int(i) => usize::try_from(*i)
                .ok()
                .and_then(|i| s.chars().nth(i))
                .map(Value::Char),
            _ => None,
        },
        _ => None,
    }
}

fn assoc(coll: &Value, k: Value, v: Value, limits: &Limits) -> Result<Value, Error> {
    match coll {
        Value::Nil => Ok(Value::Map(Rc::new(Map::default().assoc(k, v)?))),
        Value::Map(m) => {
            check_len(m.len() + 1, limits)?;
            Ok(Value::Map(Rc::new(m.assoc(k, v)?)))
        }
        Value::Vector(s) => {
            let i = index("assoc", &k)?;
            let mut items = s.items.clone();
            let depth = s.with_depth_of(&v)?;
            match i.cmp(&items.len()) {
                Ordering::Less => {
                    items.set(i, v);
                }
                Ordering::Equal => {
                    check_len(items.len() + 1, limits)?;
                    items.push_back(v);
                }
                Ordering::Greater => {
                    return Err(Error::argument(format!(
                        "assoc: index {i} is out of bounds for a vector of {}",
                        items.len()
                    )));
                }
            }
            Ok(Value::Vector(Rc::new(Seq { items, depth })))
        }
        other => Err(type_err("assoc", "a map or vector", other)),
    }
}

fn conj(coll: &Value, x: Value, limits: &Limits) -> Result<Value, Error> {
    match coll {
        Value::Nil => Ok(Value::List(List::new().cons(x)?)),
        Value::Vector(s) => {
            check_len(s.items.len() + 1, limits)?;
            let depth = s.with_depth_of(&x)?;
            let mut items = s.items.clone();
            items.push_back(x);
            Ok(Value::Vector(Rc::new(Seq { items, depth })))
        }
        Value::List(l) => {
            check_len(l.len() + 1, limits)?;
            Ok(Value::List(l.cons(x)?))
        }
        Value::Set(s) => {
            check_len(s.len() + 1, limits)?;
            Ok(Value::Set(Rc::new(s.insert(x)?)))
        }
        Value::Map(_) => match &x {
            Value::Vector(kv) if kv.items.len() == 2 => {
                assoc(coll, kv.items[0].clone(), kv.items[1].clone(), limits)
            }
            Value::Map(other) => {
                let mut acc = coll.clone();
                for (k, v) in other.iter() {
                    acc = assoc(&acc, k.clone(), v.clone(), limits)?;
                }
                Ok(acc)
            }
            other => Err(type_err("conj", "a [key value] vector for a map", other)),
        },
        other => Err(type_err("conj", "a collection", other)),
    }
}

fn sort_values(items: Vector<Value>) -> Result<Vector<Value>, Error> {
    let mut v: Vec<Value> = items.into_iter().collect();
    let mut failure = None;
    v.sort_by(|a, b| {
        a.compare(b).unwrap_or_else(|| {
            failure.get_or_insert_with(|| {
                Error::type_error(format!(
                    "sort: expected comparable values, got {} and {}",
                    pr_capped(a),
                    pr_capped(b)
                ))
            });
            Ordering::Equal
        })
    });
    match failure {
        Some(e) => Err(e),
        None => Ok(v.into_iter().collect()),
    }
}

fn range(args: &[Value], limits: &Limits) -> Result<Value, Error> {
    let (start, end, step) = match args {
        [end] => (0, int("range", end)?, 1),
        [start, end] => (int("range", start)?, int("range", end)?, 1),
        [start, end, step] => (
            int("range", start)?,
            int("range", end)?,
            int("range", step)?,
        ),
        _ => return Err(Error::argument("range needs an end")),
    };
    if step == 0 {
        return Err(Error::argument("range: step must not be zero"));
    }
    let span = i128::from(end) - i128::from(start);
    let n = if (span > 0) == (step > 0) && span != 0 {
        let step = i128::from(step);
        ((span.abs() + step.abs() - 1) / step.abs()) as u128
    } else {
        0
    };
    if n > limits.max_items as u128 {
        return Err(too_large(limits));
    }
    let mut items = Vector::new();
    let mut x = start;
    for _ in 0..n {
        items.push_back(Value::Int(x));
        x = x.wrapping_add(step);
    }
    // Integers nest nothing: the depth bound is known without rescanning a million elements.
    Ok(Value::vector_bounded(items, 1))
}

/// `(assoc-in m path v)` with `path` a value, for `update-in`.
pub(crate) fn assoc_in_value(m: &Value, path: &Value, v: Value) -> Result<Value, Error> {
    assoc_in(m, path, v, &Limits::default())
}

/// `(assoc-in m [k1 k2 ...] v)`, iteratively: walk down collecting the maps on the path, then
/// rebuild from the bottom up.
fn assoc_in(m: &Value, path: &Value, v: Value, limits: &Limits) -> Result<Value, Error> {
    let keys = items("assoc-in", path)?;
    if keys.is_empty() {
        return Err(Error::argument("assoc-in needs a non-empty path"));
    }
    let mut spine = Vec::with_capacity(keys.len());
    let mut cur = m.clone();
    for k in keys.iter().take(keys.len() - 1) {
        let next = get(&cur, k).unwrap_or(Value::Nil);
        spine.push(cur);
        cur = next;
    }
    spine.push(cur);
    let mut acc = v;
    for (coll, k) in spine.into_iter().zip(keys.iter()).rev() {
        acc = assoc(&coll, k.clone(), acc, limits)?;
    }
    Ok(acc)
}

fn write_joined(out: &mut dyn Output, args: &[Value], form: fn(&Value) -> String, newline: bool) {
    let mut text = args.iter().map(form).collect::<Vec<_>>().join(" ");
    if newline {
        text.push('\n');
    }
    out.write(&text);
}

fn stream_id(op: &str, v: &Value) -> Result<u32, Error> {
    match v {
        Value::Stream(id) => Ok(*id),
        other => Err(type_err(op, "a stream", other)),
    }
}

pub(crate) fn bump_cells(store: &mut Store, limits: &Limits) -> Result<(), Error> {
    store.cells += 1;
    if store.cells > limits.max_store {
        return Err(Error::new(
            ErrorKind::Limit,
            format!("store limit reached: at most {} cells", limits.max_store),
        ));
    }
    Ok(())
}

/// The integer fast path of binary primitives: `None` when the general path must decide
/// (another primitive, or overflow, which it reports).
#[inline(always)]
pub(crate) fn int2(p: Prim, x: i64, y: i64) -> Option<Value> {
    Some(match p {
        Prim::Add => Value::Int(x.checked_add(y)?),
        Prim::Sub => Value::Int(x.checked_sub(y)?),
        Prim::Mul => Value::Int(x.checked_mul(y)?),
        Prim::Lt => Value::Bool(x < y),
        Prim::Gt => Value::Bool(x > y),
        Prim::Le => Value::Bool(x <= y),
        Prim::Ge => Value::Bool(x >= y),
        Prim::Eq | Prim::NumEq => Value::Bool(x == y),
        Prim::NotEq | Prim::NotEqBang => Value::Bool(x != y),
        _ => return None,
    })
}

/// The integer fast path of unary primitives.
#[inline(always)]
pub(crate) fn int1(p: Prim, x: i64) -> Option<Value> {
    Some(match p {
        Prim::Inc => Value::Int(x.checked_add(1)?),
        Prim::Dec => Value::Int(x.checked_sub(1)?),
        Prim::IsZero => Value::Bool(x == 0),
        Prim::IsPos => Value::Bool(x > 0),
        Prim::IsNeg => Value::Bool(x < 0),
        Prim::IsEven => Value::Bool(x % 2 == 0),
        Prim::IsOdd => Value::Bool(x % 2 != 0),
        _ => return None,
    })
}

/// `first`, `rest`, `next`, `empty?` and `count` of a list or vector, read in place: walking a
/// list with `first`/`rest` is most of what such loops do. [`simple`] asks here first. A list's
/// `rest` and `next` are its tail (a list, shared, O(1)); a vector's are a vector.
#[inline]
pub(crate) fn seq1(p: Prim, a: &Value) -> Option<Value> {
    let s = match a {
        Value::List(l) => return list1(p, l),
        Value::Vector(s) => s,
        _ => return None,
    };
    let xs = &s.items;
    Some(match p {
        Prim::First => xs.front().cloned().unwrap_or(Value::Nil),
        Prim::IsEmpty => Value::Bool(xs.is_empty()),
        Prim::Count => Value::Int(i64::try_from(xs.len()).unwrap_or(i64::MAX)),
        Prim::Rest if xs.len() <= 1 => Value::vector_bounded(Vector::new(), s.depth),
        Prim::Next if xs.len() <= 1 => Value::Nil,
        // `pop_front` on a copy: half the time of `skip(1)`, which splits the tree.
        Prim::Rest | Prim::Next => {
            let mut tail = xs.clone();
            tail.pop_front();
            Value::vector_bounded(tail, s.depth)
        }
        _ => return None,
    })
}

/// [`seq1`] of a list: every answer is O(1).
#[inline]
fn list1(p: Prim, l: &List) -> Option<Value> {
    Some(match p {
        Prim::First => l.first().cloned().unwrap_or(Value::Nil),
        Prim::IsEmpty => Value::Bool(l.is_empty()),
        Prim::Count => Value::Int(i64::try_from(l.len()).unwrap_or(i64::MAX)),
        Prim::Rest => Value::List(l.rest()),
        Prim::Next if l.len() <= 1 => Value::Nil,
        Prim::Next => Value::List(l.rest()),
        _ => return None,
    })
}

/// `rest` or `next` of a list or vector, `assoc` of one key on a map, or `conj` of one value on a
/// vector, for a `recur` whose loop rebinds the collection's slot (`(recur (rest s) ...)`,
/// `(recur (assoc m k v) ...)`): the value is taken out of `slot`, and a collection nothing else
/// holds then changes in place instead of being copied. `None` when this is not such a call (the
/// slot is untouched); on an error the slot keeps its value. Same results as [`simple`].
pub(crate) fn owned(
    p: Prim,
    slot: &mut Value,
    rest: &[Value],
    limits: &Limits,
) -> Option<Result<Value, Error>> {
    match (p, &*slot, rest) {
        (Prim::Rest | Prim::Next, Value::List(l), []) => {
            if p == Prim::Next && l.len() <= 1 {
                return Some(Ok(Value::Nil));
            }
            let Value::List(mut l) = std::mem::replace(slot, Value::Nil) else {
                return None;
            };
            l.pop_front();
            Some(Ok(Value::List(l)))
        }
        (Prim::Rest | Prim::Next, Value::Vector(_), []) => {
            let Value::Vector(mut s) = std::mem::replace(slot, Value::Nil) else {
                return None;
            };
            if p == Prim::Next && s.items.len() <= 1 {
                return Some(Ok(Value::Nil));
            }
            Rc::make_mut(&mut s).items.pop_front();
            Some(Ok(Value::Vector(s)))
        }
        (Prim::Assoc, Value::Map(m), [k, v]) => {
            if let Err(e) = check_len(m.len() + 1, limits) {
                return Some(Err(e));
            }
            let Value::Map(mut m) = std::mem::replace(slot, Value::Nil) else {
                return None;
            };
            match Rc::make_mut(&mut m).assoc_mut(k.clone(), v.clone()) {
                Ok(()) => Some(Ok(Value::Map(m))),
                Err(e) => {
                    *slot = Value::Map(m);
                    Some(Err(e))
                }
            }
        }
        (Prim::Conj, Value::Vector(s), [x]) => {
            let depth = match check_len(s.items.len() + 1, limits).and_then(|()| s.with_depth_of(x))
            {
                Ok(d) => d,
                Err(e) => return Some(Err(e)),
            };
            let Value::Vector(mut s) = std::mem::replace(slot, Value::Nil) else {
                return None;
            };
            let seq = Rc::make_mut(&mut s);
            seq.items.push_back(x.clone());
            seq.depth = depth;
            Some(Ok(Value::Vector(s)))
        }
        _ => None,
    }
}

/// Runs a simple primitive. The caller has checked the arity.
pub(crate) fn simple(p: Prim, args: &[Value], limits: &Limits) -> Result<Value, Error> {
    if let [a] = args
        && let Some(v) = seq1(p, a)
    {
        return Ok(v);
    }
    let a0 = || args.first().cloned().unwrap_or(Value::Nil);
    let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::Nil);
    Ok(match p {
        Prim::Drop | Prim::Distinct | Prim::Dedupe | Prim::PartitionAll | Prim::Interpose
            if args.len() < 2 =>
        {
            match crate::transduce::constructor(p, args) {
                Some(xf) => xf?,
                None => crate::collections::simple(p, args, limits)?,
            }
        }
        Prim::SomeFn | Prim::EveryPred => {
            let f = if p == Prim::SomeFn {
                Prim::SomeFnFn
            } else {
                Prim::EveryPredFn
            };
            Value::partial(
                Value::Prim(f),
                vec![Value::vector(args.iter().cloned().collect())?],
            )?
        }
        Prim::Completing => crate::transduce::completing(args)?,
        Prim::Comparator => Value::partial(Value::Prim(Prim::ComparatorFn), vec![a0()])?,
        Prim::Transient | Prim::Persistent => a0(),
        Prim::ConjBang | Prim::AssocBang | Prim::DissocBang | Prim::DisjBang | Prim::PopBang => {
            let plain = match p {
                Prim::ConjBang => Prim::Conj,
                Prim::AssocBang => Prim::Assoc,
                Prim::DissocBang => Prim::Dissoc,
                Prim::DisjBang => Prim::Disj,
                _ => Prim::Pop,
            };
            simple(plain, args, limits)?
        }
        Prim::Zipmap | Prim::Interleave
            if args.iter().any(|c| crate::hof::as_producer(c).is_some()) =>
        {
            let colls = crate::hof::finite_or_bounded(p.name(), args)?
                .into_iter()
                .map(Value::vector)
                .collect::<Result<Vec<_>, _>>()?;
            crate::collections::simple(p, &colls, limits)?
        }
        Prim::StrEscape => crate::strings::escape(&a0(), &arg(1), limits)?,
        Prim::Add => fold_num(args, 0, "+", num::add)?,
        Prim::Mul => fold_num(args, 1, "*", num::mul)?,
        Prim::Sub => match args {
            [x] => num::negate(x)?,
            _ => fold_num(args, 0, "-", num::sub)?,
        },
        Prim::Div => match args {
            [x] => num::div(&Value::Int(1), x)?,
            _ => fold_num(args, 1, "/", num::div)?,
        },
        Prim::Eq => Value::Bool(all_equal(args)),
        Prim::NotEq | Prim::NotEqBang => Value::Bool(!all_equal(args)),
        Prim::NumEq => {
            for x in args {
                num::check(x, "==")?;
            }
            let mut r = true;
            for w in args.windows(2) {
                r &= num::num_eq(&w[0], &w[1])?;
            }
            Value::Bool(r)
        }
        Prim::Lt => chain(args, "<", |o| o == Ordering::Less)?,
        Prim::Gt => chain(args, ">", |o| o == Ordering::Greater)?,
        Prim::Le => chain(args, "<=", |o| o != Ordering::Greater)?,
        Prim::Ge => chain(args, ">=", |o| o != Ordering::Less)?,
        Prim::Not => Value::Bool(!a0().truthy()),
        Prim::Inc => {
            num::check(&a0(), "inc")?;
            num::add(&a0(), &Value::Int(1)).map_err(|e| rename(e, "+", "inc"))?
        }
        Prim::Dec => {
            num::check(&a0(), "dec")?;
            num::sub(&a0(), &Value::Int(1)).map_err(|e| rename(e, "-", "dec"))?
        }
        Prim::Quot => num::int_div(&a0(), &arg(1), IntDiv::Quot)?,
        Prim::Rem => num::int_div(&a0(), &arg(1), IntDiv::Rem)?,
        Prim::Mod => num::int_div(&a0(), &arg(1), IntDiv::Mod)?,
        Prim::Min | Prim::Max => {
            let op = p.name();
            let mut best = a0();
            num::check(&best, op)?;
            for x in &args[1..] {
                let o = num::compare_checked(x, &best, op)?;
                let better = if p == Prim::Min {
                    o == Some(Ordering::Less)
                } else {
                    o == Some(Ordering::Greater)
                };
                if better {
                    best = x.clone();
                }
            }
            best
        }
        Prim::Abs => {
            let x = a0();
            if num::sign(&x, "abs")? == Ordering::Less {
                num::negate(&x).map_err(|e| rename(e, "-", "abs"))?
            } else {
                x
            }
        }
        Prim::IsNil => Value::Bool(matches!(a0(), Value::Nil)),
        Prim::IsSome => Value::Bool(!matches!(a0(), Value::Nil)),
        Prim::IsZero => Value::Bool(num::is_zero(&a0())?),
        Prim::IsPos => Value::Bool(num::sign(&a0(), "pos?")? == Ordering::Greater),
        Prim::IsNeg => Value::Bool(num::sign(&a0(), "neg?")? == Ordering::Less),
        Prim::IsEven => Value::Bool(int("even?", &a0())? % 2 == 0),
        Prim::IsOdd => Value::Bool(int("odd?", &a0())? % 2 != 0),
        Prim::IsNumber => Value::Bool(a0().is_number()),
        Prim::IsString => Value::Bool(matches!(a0(), Value::Str(_))),
        Prim::IsKeyword => Value::Bool(matches!(a0(), Value::Keyword(_))),
        Prim::IsSymbol => Value::Bool(matches!(a0(), Value::Symbol(_))),
        Prim::IsFn => Value::Bool(a0().is_fn()),
        Prim::IsVector => Value::Bool(matches!(a0(), Value::Vector(_))),
        Prim::IsMap => Value::Bool(matches!(a0(), Value::Map(_))),
        Prim::IsSet => Value::Bool(matches!(a0(), Value::Set(_))),
        Prim::IsEmpty => Value::Bool(match a0() {
            Value::Str(s) => s.is_empty(),
            Value::Map(m) => m.is_empty(),
            Value::Set(s) => s.is_empty(),
            other => items("empty?", &other)?.is_empty(),
        }),
        Prim::Str => {
            let mut s = String::new();
            for x in args {
                s.push_str(&str_form(x));
                check_len(s.len(), limits)?;
            }
            Value::str(&s)
        }
        Prim::Name => match a0() {
            Value::Keyword(k) => Value::str(k.name()),
            Value::Symbol(s) => Value::str(s.name()),
            Value::Str(s) => Value::Str(s),
            other => return Err(type_err("name", "a keyword, symbol or string", &other)),
        },
        Prim::Keyword | Prim::Symbol if args.len() == 2 => {
            let part = |v: &Value| match v {
                Value::Str(s) => Ok(s.to_string()),
                Value::Nil => Ok(String::new()),
                other => Err(type_err(p.name(), "a string", other)),
            };
            let (ns, name) = (part(&args[0])?, part(&args[1])?);
            let full = if ns.is_empty() {
                name
            } else {
                format!("{ns}/{name}")
            };
            if p == Prim::Keyword {
                Value::keyword(&full)
            } else {
                Value::symbol(&full)
            }
        }
        Prim::Keyword => match a0() {
            Value::Str(s) => Value::keyword(&s),
            Value::Keyword(k) => Value::Keyword(k),
            Value::Symbol(s) => Value::keyword(s.as_str()),
            other => return Err(type_err("keyword", "a string", &other)),
        },
        Prim::Symbol => match a0() {
            Value::Str(s) => Value::symbol(&s),
            Value::Symbol(s) => Value::Symbol(s),
            Value::Keyword(k) => Value::symbol(k.as_str()),
            other => return Err(type_err("symbol", "a string", &other)),
        },
        Prim::Subs => {
            let Value::Str(s) = a0() else {
                return Err(type_err("subs", "a string", &a0()));
            };
            let chars: Vec<char> = s.chars().collect();
            let start = index("subs", &arg(1))?;
            let end = match args.get(2) {
                Some(e) => index("subs", e)?,
                None => chars.len(),
            };
            if start > end || end > chars.len() {
                return Err(Error::argument(format!(
                    "subs: range {start}..{end} is out of bounds for a string of {} characters",
                    chars.len()
                )));
            }
            Value::str(&chars[start..end].iter().collect::<String>())
        }
        Prim::Count => Value::Int(match a0() {
            Value::Str(s) => s.chars().count(),
            Value::Map(m) => m.len(),
            Value::Set(s) => s.len(),
            other => items("count", &other)?.len(),
        } as i64),
        Prim::First => match crate::hof::producer_first(&a0()) {
            Some(first) => first?,
            None => items("first", &a0())?
                .front()
                .cloned()
                .unwrap_or(Value::Nil),
        },
        Prim::Rest => {
            let mut xs = items("rest", &a0())?;
            if !xs.is_empty() {
                xs = xs.skip(1);
            }
            tail_of(&a0(), xs)?
        }
        Prim::Next => {
            let xs = items("next", &a0())?;
            if xs.len() <= 1 {
                Value::Nil
            } else {
                tail_of(&a0(), xs.skip(1))?
            }
        }
        Prim::Last => items("last", &a0())?.back().cloned().unwrap_or(Value::Nil),
        Prim::Nth => {
            let xs = items("nth", &a0())?;
            let i = int("nth", &arg(1))?;
            match usize::try_from(i).ok().and_then(|i| xs.get(i)) {
                Some(v) => v.clone(),
                None if args.len() == 3 => arg(2),
                None => {
                    return Err(Error::argument(format!(
                        "nth: index {i} is out of bounds for {} elements",
                        xs.len()
                    )));
                }
            }
        }
        Prim::Cons => {
            let x = a0();
            match args.get(1) {
                Some(Value::List(l)) => {
                    check_len(l.len() + 1, limits)?;
                    Value::List(l.cons(x)?)
                }
                // Anything else becomes a list first: one cell per element.
                coll => {
                    let xs = items("cons", coll.unwrap_or(&Value::Nil))?;
                    check_len(xs.len() + 1, limits)?;
                    Value::List(List::from_items(xs)?.cons(x)?)
                }
            }
        }
        Prim::Conj => match args {
            [] => Value::vector(Vector::new())?,
            [coll, rest @ ..] => {
                let mut acc = coll.clone();
                for x in rest {
                    acc = conj(&acc, x.clone(), limits)?;
                }
                acc
            }
        },
        // A list, as Clojure's seq prints: a macro that builds its expansion with concat
        // returns a call, not a vector literal. A list given last is shared, not copied (as
        // Scheme's `append` shares its last argument): only the elements before it get cells.
        Prim::Concat => {
            let (front, mut tail) = match args.split_last() {
                Some((Value::List(l), front)) => (front, l.clone()),
                _ => (args, List::new()),
            };
            let mut acc = Vector::new();
            for x in front {
                acc.append(items("concat", x)?);
                check_len(acc.len().saturating_add(tail.len()), limits)?;
            }
            for x in acc.into_iter().rev() {
                tail = tail.cons(x)?;
            }
            Value::List(tail)
        }
        Prim::Seq => {
            if let Value::List(l) = a0() {
                return Ok(if l.is_empty() {
                    Value::Nil
                } else {
                    Value::List(l)
                });
            }
            let xs = items("seq", &a0())?;
            if xs.is_empty() {
                Value::Nil
            } else {
                Value::list(xs)?
            }
        }
        // A vector is its own `vec`, and a list's depth bound carries over: no element is read.
        Prim::Vec => match a0() {
            v @ Value::Vector(_) => v,
            Value::List(l) => Value::vector_bounded(l.to_vector(), l.depth()),
            other => Value::vector(items("vec", &other)?)?,
        },
        Prim::Vector => vector(args.iter().cloned().collect(), limits)?,
        Prim::List => list(args.iter().cloned().collect(), limits)?,
        Prim::HashMap => {
            if !args.len().is_multiple_of(2) {
                return Err(Error::argument(
                    "hash-map needs an even number of arguments",
                ));
            }
            Value::map_from(args.chunks(2).map(|kv| (kv[0].clone(), kv[1].clone())))?
        }
        Prim::HashSet => Value::set_from(args.iter().cloned())?,
        Prim::Get => get(&a0(), &arg(1)).unwrap_or_else(|| arg(2)),
        Prim::GetIn => {
            let mut cur = Some(a0());
            for k in items("get-in", &arg(1))?.iter() {
                cur = cur.and_then(|c| get(&c, k));
            }
            cur.unwrap_or_else(|| arg(2))
        }
        Prim::Assoc => {
            if args.len().is_multiple_of(2) {
                return Err(Error::argument("assoc needs key-value pairs"));
            }
            let mut acc = a0();
            for kv in args[1..].chunks(2) {
                acc = assoc(&acc, kv[0].clone(), kv[1].clone(), limits)?;
            }
            acc
        }
        Prim::AssocIn => assoc_in(&a0(), &arg(1), arg(2), limits)?,
        Prim::Dissoc => match a0() {
            Value::Nil => Value::Nil,
            Value::Map(m) => {
                let mut m = (*m).clone();
                for k in &args[1..] {
                    m = m.dissoc(k);
                }
                Value::Map(Rc::new(m))
            }
            other => return Err(type_err("dissoc", "a map", &other)),
        },
        Prim::Contains => Value::Bool(match (a0(), arg(1)) {
            (Value::Map(m), k) => m.contains(&k),
            (Value::Set(s), k) => s.contains(&k),
            (Value::Vector(s), Value::Int(i)) => {
                usize::try_from(i).is_ok_and(|i| i < s.items.len())
            }
            (Value::Nil, _) => false,
            (other, _) => return Err(type_err("contains?", "a map, set or vector", &other)),
        }),
        Prim::Keys | Prim::Vals => match a0() {
            Value::Nil => Value::Nil,
            Value::Map(m) if m.is_empty() => Value::Nil,
            Value::Map(m) => Value::list(if p == Prim::Keys {
                m.keys().cloned().collect()
            } else {
                m.iter().map(|(_, v)| v.clone()).collect()
            })?,
            other => return Err(type_err(p.name(), "a map", &other)),
        },
        Prim::Into => {
            let mut acc = a0();
            if matches!(acc, Value::Nil) {
                acc = Value::list(Vector::new())?;
            }
            if let Value::Vector(to) = &acc
                && to.items.is_empty()
            {
                // Into an empty vector: the source's elements and depth bound, as they are.
                match arg(1) {
                    Value::Vector(from) => {
                        return Ok(Value::vector_bounded(from.items.clone(), from.depth));
                    }
                    Value::List(from) => {
                        return Ok(Value::vector_bounded(from.to_vector(), from.depth()));
                    }
                    _ => {}
                }
            }
            let xs = items("into", &arg(1))?;
            if let Value::Vector(s) = &acc {
                // One copy of the target, then pushes in place: `conj` per element would copy
                // the shared tail chunk for each one (a million elements took over a second).
                check_len(s.items.len().saturating_add(xs.len()), limits)?;
                let mut seq = Seq::bounded(s.items.clone(), s.depth);
                for x in xs {
                    seq.depth = seq.with_depth_of(&x)?;
                    seq.items.push_back(x);
                }
                return Ok(Value::Vector(Rc::new(seq)));
            }
            for x in xs {
                acc = conj(&acc, x, limits)?;
            }
            acc
        }
        Prim::Range if args.is_empty() => crate::hof::producer("range", Vec::new())?,
        Prim::Range => range(args, limits)?,
        Prim::Reverse => {
            let mut xs = items("reverse", &a0())?;
            xs = xs.into_iter().rev().collect();
            Value::vector(xs)?
        }
        Prim::Sort => Value::vector(sort_values(items("sort", &a0())?)?)?,
        Prim::Identity => a0(),
        // As in Clojure, the functions are checked when called, not here.
        Prim::CompFn => Value::comp(args.to_vec())?,
        Prim::PartialFn => Value::partial(a0(), args[1..].to_vec())?,
        Prim::RePattern => crate::regex::re_pattern(&a0())?,
        Prim::ReFind => crate::regex::re_find(&a0(), &arg(1))?,
        Prim::ReMatches => crate::regex::re_matches(&a0(), &arg(1))?,
        other => crate::collections::simple(other, args, limits)?,
    })
}

/// Whether a simple primitive must run through [`call`] this time: `nth` and `drop` of an
/// infinite producer call yin functions (`hof::nth_producer`).
#[inline]
pub(crate) fn needs_machine(p: Prim, args: &[Value]) -> bool {
    match (p, args) {
        (Prim::Nth, [coll, ..]) => crate::hof::as_producer(coll).is_some(),
        (Prim::Drop, [_, coll, ..]) => crate::hof::as_producer(coll).is_some(),
        (Prim::First, [coll]) => crate::lazy::is_pipeline(coll),
        (Prim::Second | Prim::Rest | Prim::Next, [coll]) => crate::hof::as_producer(coll).is_some(),
        _ => false,
    }
}

/// Runs any primitive. The caller has checked the arity.
pub(crate) fn call(p: Prim, args: Vec<Value>, ctx: &mut Ctx<'_>) -> Result<Flow, Error> {
    let span = ctx.span;
    if let Some(xf) = crate::transduce::constructor(p, &args) {
        return Ok(Flow::Value(xf?));
    }
    if let Some(pipeline) = crate::lazy::extend(p, &args) {
        return Ok(Flow::Value(pipeline?));
    }
    Ok(match p {
        Prim::Into if args.len() == 3 => {
            let mut it = args.into_iter();
            let to = it.next().unwrap_or(Value::Nil);
            let xform = it.next().unwrap_or(Value::Nil);
            crate::transduce::into(to, &xform, it.next().unwrap_or(Value::Nil))?
        }
        Prim::Transduce => crate::transduce::transduce(&args)?,
        Prim::Sequence | Prim::Eduction => crate::transduce::sequence(p.name(), &args)?,
        Prim::TransduceInit => crate::transduce::transduce_init(&args[0], args[1].clone())?,
        Prim::ReduceTo => crate::transduce::reduce_to(&args),
        Prim::CompletingFn => crate::transduce::completing_call(args),
        Prim::Xform | Prim::Cat => {
            let stage = if p == Prim::Cat {
                Value::Prim(Prim::Cat)
            } else {
                Value::partial(Value::Prim(p), args)?
            };
            return Err(crate::transduce::called(&stage));
        }
        Prim::SomeFnFn | Prim::EveryPredFn => {
            let mut it = args.into_iter();
            let preds = it.next().unwrap_or(Value::Nil);
            let op = if p == Prim::SomeFnFn {
                LibOp::SomeFn
            } else {
                LibOp::EveryPred
            };
            crate::hof::any_pred(op, &preds, it.collect(), span)?
        }
        Prim::Memoize => Flow::Value(crate::compose::memoize(args[0].clone(), ctx)?),
        Prim::LazyChunk => crate::lazy::chunk(&args)?,
        Prim::Second if crate::hof::as_producer(&args[0]).is_some() => {
            crate::hof::nth_producer(&args[0], &Value::Int(1))?
        }
        Prim::Rest | Prim::Next if crate::hof::as_producer(&args[0]).is_some() => {
            crate::hof::drop_producer(&Value::Int(1), &args[0])?
        }
        // (some f p) over an infinite producer: the first truthy (f x), through a pipeline.
        Prim::Some if crate::hof::as_producer(&args[1]).is_some() => Flow::Apply(
            Value::comp(vec![
                Value::Prim(Prim::First),
                Value::partial(Value::Prim(Prim::Filter), vec![Value::Prim(Prim::Identity)])?,
                Value::partial(Value::Prim(Prim::MapFn), vec![args[0].clone()])?,
            ])?,
            vec![args[1].clone()],
        ),
        Prim::StrReplace if args[2].is_fn() => {
            crate::strings::replace_with(&args, ctx.limits.max_items)?
        }
        Prim::ReplaceStitch => Flow::Value(crate::strings::replace_stitch(&args, ctx.limits)?),
        Prim::LazyOut => crate::lazy::out(&args, ctx.limits.max_items)?,
        Prim::LazyWhile => crate::lazy::while_out(&args, ctx.limits.max_items)?,
        Prim::First if crate::lazy::is_pipeline(&args[0]) => Flow::Apply(
            Value::comp(vec![
                Value::Prim(Prim::First),
                Value::partial(Value::Prim(Prim::Take), vec![Value::Int(1)])?,
            ])?,
            vec![args[0].clone()],
        ),
        Prim::ReduceKv => crate::compose::reduce_kv(&args)?,
        Prim::KvStep => crate::compose::kv_step(args),
        Prim::Reductions => crate::compose::reductions(&args)?,
        Prim::ReductionsStep => crate::compose::reductions_step(&args)?,
        Prim::KeepIndexed => crate::compose::keep_indexed(args[0].clone(), args[1].clone())?,
        Prim::SplitWith => crate::compose::split_with(args[0].clone(), args[1].clone())?,
        Prim::NotEvery => crate::compose::not_every(args[0].clone(), args[1].clone())?,
        Prim::ComparatorFn => crate::compose::comparator_call(&args)?,
        Prim::ComparatorThen => crate::compose::comparator_then(&args)?,
        Prim::ComparatorLast => Flow::Value(Value::Int(if args[0].truthy() { 1 } else { 0 })),
        Prim::TreeSeq => {
            crate::hof::tree_seq(args[0].clone(), args[1].clone(), args[2].clone(), span)?
        }
        Prim::Volatile => return call(Prim::Atom, args, ctx),
        Prim::VSwap => return call(Prim::Swap, args, ctx),
        Prim::VReset => return call(Prim::Reset, args, ctx),
        Prim::MemoFn => crate::compose::memo_call(args, ctx)?,
        Prim::MemoStore => crate::compose::memo_store(&args, ctx)?,
        Prim::Trampoline => crate::compose::trampoline(args)?,
        Prim::TrampolineStep => crate::compose::trampoline_step(args[0].clone())?,
        Prim::UpdateVals | Prim::UpdateKeys => {
            crate::compose::update_entries(p, args[0].clone(), args[1].clone())?
        }
        Prim::Run => crate::compose::run(args[0].clone(), args[1].clone())?,
        Prim::SwapVals => crate::compose::swap_vals(args, ctx)?,
        Prim::SwapValsStore => crate::compose::set_vals(
            "swap-vals!",
            &args[0],
            args[1].clone(),
            args[2].clone(),
            ctx,
        )?,
        Prim::ResetVals => {
            let old = atom_value(ctx.store, "reset-vals!", &args[0])?;
            crate::compose::set_vals("reset-vals!", &args[0], old, args[1].clone(), ctx)?
        }
        Prim::Sort if args.len() == 2 => {
            let cmp = args[0].clone();
            let items = items("sort", &args[1])?;
            sort_step(cmp, items, 0, Vector::new(), 0, 0, span)?
        }
        Prim::Update => {
            let mut it = args.into_iter();
            let map = it.next().unwrap_or(Value::Nil);
            let key = it.next().unwrap_or(Value::Nil);
            let f = it.next().unwrap_or(Value::Nil);
            let mut fargs = vec![get(&map, &key).unwrap_or(Value::Nil)];
            fargs.extend(it);
            Flow::Push(native(Native::Update { map, key, span }), f, fargs)
        }
        Prim::MapFn | Prim::Mapv => {
            let f = args[0].clone();
            let colls = crate::hof::finite_or_bounded("map", &args[1..])?;
            map_step(f, colls, 0, Vector::new(), span)?
        }
        Prim::Filter | Prim::Filterv => {
            let items = items("filter", &args[1])?;
            filter_step(args[0].clone(), items, 0, Vector::new(), span)?
        }
        Prim::Reduce => {
            let f = args[0].clone();
            let (acc, items) = if args.len() == 3 {
                (args[1].clone(), items("reduce", &args[2])?)
            } else {
                let xs = items("reduce", &args[1])?;
                match xs.front().cloned() {
                    // (reduce f []) is (f), as in Clojure.
                    None => return Ok(Flow::Apply(f, Vec::new())),
                    Some(first) => (first, xs.skip(1)),
                }
            };
            reduce_step(f, items, 0, acc, span)
        }
        Prim::Apply => {
            let mut it = args.into_iter();
            let f = it.next().unwrap_or(Value::Nil);
            let mut fargs: Vec<Value> = it.collect();
            let last = fargs.pop().unwrap_or(Value::Nil);
            fargs.extend(items("apply", &last)?);
            Flow::Apply(f, fargs)
        }
        Prim::Print => {
            write_joined(ctx.out, &args, print_str, false);
            Flow::Value(Value::Nil)
        }
        Prim::Println => {
            write_joined(ctx.out, &args, print_str, true);
            Flow::Value(Value::Nil)
        }
        Prim::Prn => {
            write_joined(ctx.out, &args, pr_str, true);
            Flow::Value(Value::Nil)
        }
        Prim::Pr => {
            write_joined(ctx.out, &args, pr_str, false);
            Flow::Value(Value::Nil)
        }
        Prim::Newline => {
            ctx.out.write("\n");
            Flow::Value(Value::Nil)
        }
        Prim::Printf => {
            let text = crate::strings::format(&args, ctx.limits)?;
            if let Value::Str(s) = &text {
                ctx.out.write(s);
            }
            Flow::Value(Value::Nil)
        }
        Prim::Gensym => {
            let prefix = match args.first() {
                Some(Value::Str(s)) => s.to_string(),
                Some(Value::Symbol(s)) => s.as_str().to_owned(),
                Some(other) => return Err(type_err("gensym", "a string prefix", other)),
                None => "G__".to_owned(),
            };
            ctx.store.next_gensym += 1;
            Flow::Value(Value::symbol(&format!("{prefix}{}", ctx.store.next_gensym)))
        }
        Prim::StreamMake => {
            let capacity = match args.first() {
                None | Some(Value::Nil) => None,
                Some(v) => {
                    let c = index("stream/make", v)?;
                    if c == 0 {
                        return Err(Error::argument("stream/make: capacity must be positive"));
                    }
                    Some(c)
                }
            };
            bump_cells(ctx.store, ctx.limits)?;
            ctx.store.streams.push_back(Stream {
                items: Vector::new(),
                capacity,
                closed: false,
            });
            Flow::Value(Value::Stream(ctx.store.streams.len() as u32 - 1))
        }
        Prim::StreamPut => {
            let id = stream_id("stream/put!", &args[0])?;
            let v = args[1].clone();
            let unread_floor = ctx
                .store
                .cursors
                .iter()
                .filter(|c| c.stream == id)
                .map(|c| c.pos)
                .min()
                .unwrap_or(0);
            let Some(stream) = ctx.store.streams.get_mut(id as usize) else {
                return Err(Error::argument("stream/put!: no such stream"));
            };
            if stream.closed {
                return Err(Error::argument("stream/put!: the stream is closed"));
            }
            if stream
                .capacity
                .is_some_and(|c| stream.items.len() - unread_floor.min(stream.items.len()) >= c)
            {
                return Ok(Flow::Park("stream/put! on a full stream"));
            }
            stream.items.push_back(v.clone());
            bump_cells(ctx.store, ctx.limits)?;
            Flow::Value(v)
        }
        Prim::StreamCursor => {
            let id = stream_id("stream/cursor", &args[0])?;
            if ctx.store.streams.get(id as usize).is_none() {
                return Err(Error::argument("stream/cursor: no such stream"));
            }
            bump_cells(ctx.store, ctx.limits)?;
            ctx.store.cursors.push_back(Cursor { stream: id, pos: 0 });
            Flow::Value(Value::Cursor(ctx.store.cursors.len() as u32 - 1))
        }
        Prim::StreamNext => {
            let Value::Cursor(cid) = args[0] else {
                return Err(type_err("stream/next!", "a cursor", &args[0]));
            };
            let Some(cursor) = ctx.store.cursors.get(cid as usize).copied() else {
                return Err(Error::argument("stream/next!: no such cursor"));
            };
            let Some(stream) = ctx.store.streams.get(cursor.stream as usize) else {
                return Err(Error::argument("stream/next!: no such stream"));
            };
            match stream.items.get(cursor.pos).cloned() {
                Some(v) => {
                    ctx.store.cursors.set(
                        cid as usize,
                        Cursor {
                            stream: cursor.stream,
                            pos: cursor.pos + 1,
                        },
                    );
                    Flow::Value(v)
                }
                None if stream.closed => Flow::Value(Value::Nil),
                None => Flow::Park("stream/next! on an empty stream"),
            }
        }
        Prim::StreamClose => {
            let id = stream_id("stream/close!", &args[0])?;
            let Some(stream) = ctx.store.streams.get_mut(id as usize) else {
                return Err(Error::argument("stream/close!: no such stream"));
            };
            stream.closed = true;
            Flow::Value(Value::Nil)
        }
        Prim::Atom => {
            bump_cells(ctx.store, ctx.limits)?;
            ctx.store.atoms.push_back(args[0].clone());
            Flow::Value(Value::Atom(ctx.store.atoms.len() as u32 - 1))
        }
        Prim::Deref => match crate::basics::unreduced(&args[0]) {
            Some(v) => Flow::Value(v),
            None => Flow::Value(atom_value(ctx.store, "deref", &args[0])?),
        },
        Prim::Reset => {
            let id = atom_id("reset!", &args[0])?;
            set_atom(ctx.store, id, args[1].clone())?;
            Flow::Value(args[1].clone())
        }
        Prim::CompareAndSet => {
            let current = atom_value(ctx.store, "compare-and-set!", &args[0])?;
            // Clojure compares identity; yin's values are immutable, so equality is the same
            // question for everything a program can build.
            if current == args[1] {
                set_atom(
                    ctx.store,
                    atom_id("compare-and-set!", &args[0])?,
                    args[2].clone(),
                )?;
                Flow::Value(Value::Bool(true))
            } else {
                Flow::Value(Value::Bool(false))
            }
        }
        Prim::Swap => {
            let mut it = args.into_iter();
            let a = it.next().unwrap_or(Value::Nil);
            let f = it.next().unwrap_or(Value::Nil);
            let atom = atom_id("swap!", &a)?;
            let mut fargs = vec![atom_value(ctx.store, "swap!", &a)?];
            fargs.extend(it);
            Flow::Push(native(Native::Swap { atom, span }), f, fargs)
        }
        Prim::Throw => match &args[0] {
            Value::Ex(_) => Flow::Throw(args[0].clone()),
            other => return Err(type_err("throw", "an exception (made by ex-info)", other)),
        },
        Prim::Try => {
            let mut it = args.into_iter();
            let body = it.next().unwrap_or(Value::Nil);
            let handler = it.next().unwrap_or(Value::Nil);
            let finally = it.next().unwrap_or(Value::Nil);
            Flow::Push(
                native(Native::Try {
                    handler,
                    finally,
                    span,
                }),
                body,
                Vec::new(),
            )
        }
        Prim::Take => {
            let n = match &args[0] {
                Value::Int(i) => usize::try_from(*i).unwrap_or(0),
                other => return Err(type_err("take", "an integer", other)),
            };
            match crate::hof::as_producer(&args[1]) {
                Some((kind, pargs)) => crate::hof::take_producer(
                    Some(n),
                    Value::Nil,
                    kind,
                    pargs,
                    span,
                    ctx.limits.max_items,
                )?,
                None => {
                    let xs = items("take", &args[1])?;
                    Flow::Value(Value::vector(xs.take(n.min(xs.len())))?)
                }
            }
        }
        Prim::TakeWhile => match crate::hof::as_producer(&args[1]) {
            Some((kind, pargs)) => crate::hof::take_producer(
                None,
                args[0].clone(),
                kind,
                pargs,
                span,
                ctx.limits.max_items,
            )?,
            None => crate::hof::start(LibOp::TakeWhile, args[0].clone(), &args[1], span)?,
        },
        Prim::Repeatedly if args.len() == 1 => {
            Flow::Value(crate::hof::producer("repeatedly", vec![args[0].clone()])?)
        }
        Prim::Repeatedly => {
            let n = match &args[0] {
                Value::Int(i) => usize::try_from(*i).unwrap_or(0),
                other => return Err(type_err("repeatedly", "an integer", other)),
            };
            crate::hof::repeatedly(n, args[1].clone(), span, ctx.limits.max_items)?
        }
        Prim::Mapcat if args.len() > 2 => {
            crate::hof::mapcat_many(args[0].clone(), &args[1..], span)?
        }
        Prim::DropWhile
        | Prim::Some
        | Prim::Every
        | Prim::NotAny
        | Prim::Remove
        | Prim::Keep
        | Prim::Mapcat
        | Prim::MapIndexed
        | Prim::PartitionBy
        | Prim::GroupBy => {
            let op = match p {
                Prim::DropWhile => LibOp::DropWhile,
                Prim::Some => LibOp::Some,
                Prim::Every => LibOp::Every,
                Prim::NotAny => LibOp::NotAny,
                Prim::Remove => LibOp::Remove,
                Prim::Keep => LibOp::Keep,
                Prim::Mapcat => LibOp::Mapcat,
                Prim::MapIndexed => LibOp::MapIndexed,
                Prim::PartitionBy => LibOp::PartitionBy,
                _ => LibOp::GroupBy,
            };
            crate::hof::start(op, args[0].clone(), &args[1], span)?
        }
        Prim::SortBy if args.len() == 3 => {
            crate::hof::sort_by_cmp(args[0].clone(), args[1].clone(), &args[2], span)?
        }
        Prim::SortBy => crate::hof::start(LibOp::SortByKeys, args[0].clone(), &args[1], span)?,
        Prim::MaxKey | Prim::MinKey => {
            let op = if p == Prim::MaxKey {
                LibOp::MaxKey
            } else {
                LibOp::MinKey
            };
            crate::hof::extreme_key(op, args[0].clone(), args[1..].to_vec(), span)?
        }
        Prim::MergeWith => crate::hof::merge_with(args[0].clone(), &args[1..], span)?,
        Prim::UpdateIn => {
            let mut it = args.into_iter();
            let m = it.next().unwrap_or(Value::Nil);
            let path = it.next().unwrap_or(Value::Nil);
            let f = it.next().unwrap_or(Value::Nil);
            crate::hof::update_in(m, path, f, it.collect(), span)?
        }
        Prim::JuxtFn => {
            let mut it = args.into_iter();
            let fns = it.next().unwrap_or(Value::Nil);
            crate::hof::juxt(&fns, it.collect(), span)?
        }
        Prim::ComplementFn => {
            let mut it = args.into_iter();
            let f = it.next().unwrap_or(Value::Nil);
            crate::hof::complement(f, it.collect(), span)
        }
        Prim::FnilFn => {
            let mut it = args.into_iter();
            let f = it.next().unwrap_or(Value::Nil);
            let defaults = it.next().unwrap_or(Value::Nil);
            let defaults = items("fnil", &defaults)?;
            let fargs = it
                .enumerate()
                .map(|(i, a)| match (a, defaults.get(i)) {
                    (Value::Nil, Some(d)) => d.clone(),
                    (a, _) => a,
                })
                .collect();
            Flow::Apply(f, fargs)
        }
        Prim::ReSeq => Flow::Value(crate::regex::re_seq(
            &args[0],
            &args[1],
            ctx.limits.max_items,
        )?),
        Prim::CallCc => Flow::CallCc(args[0].clone()),
        Prim::Park => Flow::Park("park"),
        Prim::Resume => {
            let mut it = args.into_iter();
            let k = it.next().unwrap_or(Value::Nil);
            if !matches!(k, Value::Cont(_)) {
                return Err(type_err("resume", "a continuation", &k));
            }
            Flow::Resume(k, it.next().unwrap_or(Value::Nil))
        }
        Prim::Nth if crate::hof::as_producer(&args[0]).is_some() => {
            crate::hof::nth_producer(&args[0], &args[1])?
        }
        Prim::Drop if crate::hof::as_producer(&args[1]).is_some() => {
            crate::hof::drop_producer(&args[0], &args[1])?
        }
        _ => Flow::Value(simple(p, &args, ctx.limits)?),
    })
}

pub(crate) fn atom_id(op: &str, v: &Value) -> Result<u32, Error> {
    match v {
        Value::Atom(id) => Ok(*id),
        other => Err(type_err(op, "an atom", other)),
    }
}

pub(crate) fn atom_value(store: &Store, op: &str, v: &Value) -> Result<Value, Error> {
    let id = atom_id(op, v)?;
    store
        .atoms
        .get(id as usize)
        .cloned()
        .ok_or_else(|| Error::argument(format!("{op}: no such atom")))
}

/// Sets atom `id`, which the machine does for `reset!`, `compare-and-set!` and `swap!`.
pub(crate) fn set_atom(store: &mut Store, id: u32, v: Value) -> Result<(), Error> {
    match store.atoms.get_mut(id as usize) {
        Some(slot) => {
            *slot = v;
            Ok(())
        }
        None => Err(Error::argument("no such atom")),
    }
}

fn native(n: Native) -> KFrame {
    KFrame::Native(Box::new(n))
}

/// Calls `f` on the elements at `idx` of every collection, or finishes when one runs out.
pub(crate) fn map_step(
    f: Value,
    colls: Vec<Vector<Value>>,
    idx: usize,
    acc: Vector<Value>,
    span: TextRange,
) -> Result<Flow, Error> {
    if colls.iter().any(|c| idx >= c.len()) {
        return Ok(Flow::Value(Value::vector(acc)?));
    }
    let args = colls.iter().map(|c| c[idx].clone()).collect();
    Ok(Flow::Push(
        native(Native::Map {
            f: f.clone(),
            colls,
            idx: idx + 1,
            acc,
            span,
        }),
        f,
        args,
    ))
}

pub(crate) fn filter_step(
    f: Value,
    items: Vector<Value>,
    idx: usize,
    acc: Vector<Value>,
    span: TextRange,
) -> Result<Flow, Error> {
    match items.get(idx).cloned() {
        None => Ok(Flow::Value(Value::vector(acc)?)),
        Some(x) => Ok(Flow::Push(
            native(Native::Filter {
                f: f.clone(),
                items,
                idx: idx + 1,
                acc,
                span,
            }),
            f,
            vec![x],
        )),
    }
}

pub(crate) fn reduce_step(
    f: Value,
    items: Vector<Value>,
    idx: usize,
    acc: Value,
    span: TextRange,
) -> Flow {
    if let Some(v) = crate::basics::unreduced(&acc) {
        return Flow::Value(v);
    }
    match items.get(idx).cloned() {
        None => Flow::Value(acc),
        Some(x) => Flow::Push(
            native(Native::Reduce {
                f: f.clone(),
                items,
                idx: idx + 1,
                span,
            }),
            f,
            vec![acc, x],
        ),
    }
}

/// Binary insertion sort driven by the machine: compare `items[idx]` with `sorted[mid]` until
/// `lo == hi`, insert there, move to the next item.
pub(crate) fn sort_step(
    cmp: Value,
    items: Vector<Value>,
    idx: usize,
    mut sorted: Vector<Value>,
    lo: usize,
    hi: usize,
    span: TextRange,
) -> Result<Flow, Error> {
    let (mut idx, mut lo, mut hi) = (idx, lo, hi);
    loop {
        let Some(item) = items.get(idx).cloned() else {
            return Ok(Flow::Value(Value::vector(sorted)?));
        };
        if hi > sorted.len() || lo > hi {
            return Err(Error::argument("sort: inconsistent state"));
        }
        if lo < hi {
            let mid = lo + (hi - lo) / 2;
            let pivot = sorted[mid].clone();
            return Ok(Flow::Push(
                native(Native::Sort {
                    cmp: cmp.clone(),
                    items,
                    idx,
                    sorted,
                    lo,
                    hi,
                    span,
                }),
                cmp,
                vec![item, pivot],
            ));
        }
        sorted.insert(lo, item);
        idx += 1;
        lo = 0;
        hi = sorted.len();
    }
}

/// Whether a comparator's answer means "the first argument goes before the second": a truthy
/// boolean (`<`) or a negative number (`compare`).
pub(crate) fn comparator_less(v: &Value) -> bool {
    match v {
        Value::Int(i) => *i < 0,
        Value::Float(f) => *f < 0.0,
        other => other.truthy(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The core table in `syntax` is what the editor knows (and where arities come from); the
    /// machine must implement exactly its names: every primitive a program can name, and the
    /// short aliases (`str/join`).
    #[test]
    fn primitives_match_the_core_table() {
        let bound: Vec<String> = Prim::ALL
            .iter()
            .filter(|p| !p.is_internal())
            .flat_map(|&p| std::iter::once(p.name().to_owned()).chain(alias_of(p)))
            .collect();
        for c in syntax::core::CORE {
            assert!(
                bound.iter().any(|b| b == c.name),
                "{} is in the core table but not implemented",
                c.name
            );
        }
        for name in &bound {
            assert!(
                syntax::core::core_fn(name).is_some(),
                "{name} is implemented but not in the core table"
            );
        }
        for p in Prim::ALL.iter().filter(|p| p.is_internal()) {
            assert!(
                syntax::core::core_fn(p.name()).is_none(),
                "{p:?} is internal"
            );
        }
    }
}
