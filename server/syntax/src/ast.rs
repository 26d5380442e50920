//! The Universal AST: what a top-level form means once special forms are recognised.
//!
//! One [`Ast`] per top-level form, its nodes in an arena addressed by [`NodeId`]. Node kinds follow
//! the reference yin.vm vocabulary (`literal`, `variable`, `lambda`, `application`, `if`) and add
//! what the rest of the language needs. Derived forms are desugared (`defn` to `def` + `fn`, `when`
//! and `cond` to `if`, `->`/`->>` to nested applications) and keep the [`Surface`] they came from,
//! so tools can still say "this `cond`". Names are introduced only by [`NodeKind::Binder`] nodes, so
//! scope resolution links each [`NodeKind::Variable`] to a node.
//!
//! Malformed input still lowers: what could not be understood becomes [`NodeKind::Error`] holding
//! the parts that could, and a diagnostic says why.

use std::fmt;
use std::sync::Arc;

use edn::{Keyword, Symbol};
use text_size::TextRange;

use crate::form::Form;

/// Index of a node in its [`Ast`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(u32);

impl NodeId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// The lowered tree of one top-level form. Once complete ([`Ast::set_root`]) its nodes are
/// shared: a clone costs a reference count, and the arena is one allocation of exactly its
/// nodes (a file can hold half a million one-node forms).
#[derive(Clone, Debug, PartialEq)]
pub struct Ast {
    nodes: Nodes,
    root: Option<NodeId>,
}

/// An arena under construction, then frozen.
#[derive(Clone)]
enum Nodes {
    Open(Vec<Node>),
    Done(Arc<[Node]>),
}

impl Nodes {
    fn as_slice(&self) -> &[Node] {
        match self {
            Nodes::Open(nodes) => nodes,
            Nodes::Done(nodes) => nodes,
        }
    }

    /// The arena, open for additions (a frozen one is copied first; lowering never does that).
    fn open(&mut self) -> &mut Vec<Node> {
        if let Nodes::Done(nodes) = self {
            *self = Nodes::Open(nodes.to_vec());
        }
        match self {
            Nodes::Open(nodes) => nodes,
            // Not taken: a frozen arena was opened just above.
            Nodes::Done(_) => self.open(),
        }
    }
}

impl PartialEq for Nodes {
    fn eq(&self, other: &Nodes) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl fmt::Debug for Nodes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.as_slice().fmt(f)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    /// The source range the node was lowered from.
    pub span: TextRange,
    /// The derived form this node was desugared from, if any.
    pub surface: Option<Surface>,
}

/// Derived forms that lowering desugars, recorded on the node they became.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Surface {
    /// `(defn f ...)`: a `def` whose value is a named `fn`.
    Defn,
    /// `(defmacro m ...)`: a macro `def` whose value is a named `fn`.
    Defmacro,
    /// `(when t body...)`: an `if` with a `do` consequent.
    When,
    /// `(when-not t body...)`: an `if` with a `nil` consequent and a `do` alternate.
    WhenNot,
    /// `(cond t1 e1 t2 e2 ...)`: nested `if`s, one per clause.
    Cond,
    /// `(-> x (f a))`: nested applications.
    ThreadFirst,
    /// `(->> x (f a))`: nested applications.
    ThreadLast,
    /// `(try ...)`: a call of `try*` on thunks for the body, the handler and `finally`.
    Try,
    /// `(recur ...)` with no loop or function around it: an [`NodeKind::Error`] node, marked so
    /// the `recur-not-tail` lint can report it (it has no tail position to be in).
    Recur,
    /// `(comment ...)`: `nil`; the body is not lowered.
    Comment,
    /// `(ns name ...)`: `nil`; yin has no namespaces, so the name and its clauses are not
    /// lowered (`clojure.string` and `clojure.set` are always bound).
    Ns,
    /// `(declare names...)`: `nil`; globals are late-bound, so no forward declaration is needed
    /// and the names are not lowered.
    Declare,
    /// `(if-not t a b)`: `(if t b a)`.
    IfNot,
    /// `(if-let [p v] then else)`: a `let` of a temporary around an `if`.
    IfLet,
    /// `(when-let [p v] body...)`.
    WhenLet,
    /// `(if-some [p v] then else)`: like `if-let`, testing for `nil` only.
    IfSome,
    /// `(when-some [p v] body...)`.
    WhenSome,
    /// `(case e ...)`: a `let` around a `cond` of `=` tests; on an [`NodeKind::Error`] node, the
    /// failure when no clause matches and there is no default.
    Case,
    /// `(condp pred e ...)`: like `case`, testing with `(pred c e)`.
    Condp,
    /// `(letfn [(f ...) ...] body...)`: functions made together by one named maker.
    Letfn,
    /// `(while test body...)`: a `loop`.
    While,
    /// `(doseq [x xs ...] body...)`: one `loop` per binding.
    Doseq,
    /// `(dotimes [i n] body...)`: a `loop` counting up.
    Dotimes,
    /// `(for [x xs ...] body)`: one `loop` per binding, collecting a vector.
    For,
    /// `(as-> x name steps...)`: a `let` rebinding `name`.
    AsThread,
    /// `(some-> x steps...)`: a `let` threading until `nil`.
    SomeThreadFirst,
    /// `(some->> x steps...)`.
    SomeThreadLast,
    /// `(cond-> x test step ...)`: a `let` threading through the steps whose test holds.
    CondThreadFirst,
    /// `(cond->> x test step ...)`.
    CondThreadLast,
    /// `(doto x steps...)`: a `let` calling each step with `x` first, then `x`.
    Doto,
    /// The `let` a function or `loop` wraps its body in to destructure its pattern parameters.
    Destructure,
}

impl Surface {
    /// The form's name as written in source.
    pub fn as_str(self) -> &'static str {
        match self {
            Surface::Defn => "defn",
            Surface::Defmacro => "defmacro",
            Surface::When => "when",
            Surface::WhenNot => "when-not",
            Surface::Cond => "cond",
            Surface::ThreadFirst => "->",
            Surface::ThreadLast => "->>",
            Surface::Recur => "recur",
            Surface::Try => "try",
            Surface::Comment => "comment",
            Surface::Ns => "ns",
            Surface::Declare => "declare",
            Surface::IfNot => "if-not",
            Surface::IfLet => "if-let",
            Surface::WhenLet => "when-let",
            Surface::IfSome => "if-some",
            Surface::WhenSome => "when-some",
            Surface::Case => "case",
            Surface::Condp => "condp",
            Surface::Letfn => "letfn",
            Surface::While => "while",
            Surface::Doseq => "doseq",
            Surface::Dotimes => "dotimes",
            Surface::For => "for",
            Surface::AsThread => "as->",
            Surface::SomeThreadFirst => "some->",
            Surface::SomeThreadLast => "some->>",
            Surface::CondThreadFirst => "cond->",
            Surface::CondThreadLast => "cond->>",
            Surface::Doto => "doto",
            Surface::Destructure => "destructure",
        }
    }
}

/// A self-evaluating constant.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// Lowest terms, positive denominator other than 1.
    Ratio(i64, i64),
    Char(char),
    Str(String),
    Keyword(Keyword),
}

#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    /// A constant.
    Literal(Literal),
    /// `(quote datum)`: the datum as data, unevaluated.
    Quote(Form),
    /// `[a b]`: a vector whose elements are evaluated.
    Vector(Vec<NodeId>),
    /// `{k v}`: a map whose keys and values are evaluated, in source order.
    Map(Vec<(NodeId, NodeId)>),
    /// `#{a b}`: a set whose elements are evaluated.
    Set(Vec<NodeId>),
    /// A use of a name; scope resolution links it to a [`NodeKind::Binder`] or a global.
    Variable(Symbol),
    /// A name being introduced: a parameter, a `let` or `loop` binding, a `def` or a `fn` name.
    Binder(Symbol),
    /// `(fn name? ...)`: a function with one or more [`NodeKind::Arity`] nodes.
    Lambda {
        /// A binder visible inside the body, for self-recursion.
        name: Option<NodeId>,
        arities: Vec<NodeId>,
    },
    /// One `([params] body...)` of a function. `rest` is the binder after `&`.
    Arity {
        params: Vec<NodeId>,
        rest: Option<NodeId>,
        body: Vec<NodeId>,
    },
    /// `(f a b)`: a call.
    Application {
        operator: NodeId,
        operands: Vec<NodeId>,
    },
    /// `(if test consequent alternate?)`; a missing alternate is `nil`.
    If {
        test: NodeId,
        consequent: NodeId,
        alternate: Option<NodeId>,
    },
    /// `(do a b)`: evaluates in order, value of the last (`nil` when empty).
    Do(Vec<NodeId>),
    /// `(let [b1 v1 b2 v2] body...)`: sequential bindings, each pair `(binder, value)`.
    Let {
        bindings: Vec<(NodeId, NodeId)>,
        body: Vec<NodeId>,
    },
    /// `(loop [b1 v1] body...)`: like `let`, and the target of `recur` inside it.
    Loop {
        bindings: Vec<(NodeId, NodeId)>,
        body: Vec<NodeId>,
    },
    /// `(recur a b)`: rebinds the innermost `loop` or function arity and jumps back to it.
    Recur(Vec<NodeId>),
    /// `(def name doc? value?)`; `defmacro` sets `is_macro`.
    Def {
        name: NodeId,
        doc: Option<String>,
        value: Option<NodeId>,
        is_macro: bool,
    },
    /// `(and a b)`: short-circuit; `(and)` is `true`.
    And(Vec<NodeId>),
    /// `(or a b)`: short-circuit; `(or)` is `nil`.
    Or(Vec<NodeId>),
    /// Something malformed; the children are the parts that still lowered.
    Error(Vec<NodeId>),
}

impl Ast {
    pub fn new() -> Ast {
        Ast {
            nodes: Nodes::Open(Vec::new()),
            root: None,
        }
    }

    /// Adds a node; children must be allocated before their parent.
    pub fn alloc(&mut self, kind: NodeKind, span: TextRange, surface: Option<Surface>) -> NodeId {
        let nodes = self.nodes.open();
        let id = NodeId(u32::try_from(nodes.len()).unwrap_or(u32::MAX));
        nodes.push(Node {
            kind,
            span,
            surface,
        });
        id
    }

    /// Records that a node came from a derived form. Lowering needs it where the node is made by
    /// lowering a rewritten form (`->` and `->>` rewrite, then lower the result).
    pub fn set_surface(&mut self, id: NodeId, surface: Surface) {
        if let Some(node) = self.nodes.open().get_mut(id.index()) {
            node.surface = Some(surface);
        }
    }

    /// Sets the top-level node, which completes the AST: its arena is frozen into one shared
    /// allocation of exactly its nodes.
    pub fn set_root(&mut self, root: NodeId) {
        self.root = Some(root);
        if let Nodes::Open(nodes) = &mut self.nodes {
            self.nodes = Nodes::Done(Arc::from(std::mem::take(nodes)));
        }
    }

    /// The top-level node; `None` only for an AST under construction.
    pub fn root(&self) -> Option<NodeId> {
        self.root
    }

    /// The id of the node at `index` (the low bits of a datom entity), if there is one.
    pub fn id_at(&self, index: usize) -> Option<NodeId> {
        (index < self.len()).then(|| NodeId(u32::try_from(index).unwrap_or(u32::MAX)))
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes.as_slice()[id.index()]
    }

    pub fn len(&self) -> usize {
        self.nodes.as_slice().len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.as_slice().is_empty()
    }

    /// All nodes with their ids, children before parents.
    pub fn iter(&self) -> impl Iterator<Item = (NodeId, &Node)> {
        self.nodes
            .as_slice()
            .iter()
            .enumerate()
            .map(|(i, n)| (NodeId(i as u32), n))
    }
}

impl Default for Ast {
    fn default() -> Ast {
        Ast::new()
    }
}

impl NodeKind {
    /// The direct children, in source order.
    pub fn children(&self) -> Vec<NodeId> {
        match self {
            NodeKind::Literal(_)
            | NodeKind::Quote(_)
            | NodeKind::Variable(_)
            | NodeKind::Binder(_) => Vec::new(),
            NodeKind::Vector(xs)
            | NodeKind::Set(xs)
            | NodeKind::Do(xs)
            | NodeKind::Recur(xs)
            | NodeKind::And(xs)
            | NodeKind::Or(xs)
            | NodeKind::Error(xs) => xs.clone(),
            NodeKind::Map(entries) => entries.iter().flat_map(|&(k, v)| [k, v]).collect(),
            NodeKind::Lambda { name, arities } => name.iter().chain(arities).copied().collect(),
            NodeKind::Arity { params, rest, body } => {
                params.iter().chain(rest).chain(body).copied().collect()
            }
            NodeKind::Application { operator, operands } => {
                std::iter::once(operator).chain(operands).copied().collect()
            }
            NodeKind::If {
                test,
                consequent,
                alternate,
            } => [*test, *consequent].into_iter().chain(*alternate).collect(),
            NodeKind::Let { bindings, body } | NodeKind::Loop { bindings, body } => bindings
                .iter()
                .flat_map(|&(b, v)| [b, v])
                .chain(body.iter().copied())
                .collect(),
            NodeKind::Def { name, value, .. } => std::iter::once(*name).chain(*value).collect(),
        }
    }
}
