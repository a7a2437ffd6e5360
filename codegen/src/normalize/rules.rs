//! The vocabulary of the normalizer's rewrites: one [`Rule`] per construct it rewrites,
//! each with a one-line description and whether it approximates the spec.
//!
//! Invariant: a rule names a *construct*, never a schema name; adding a rule means adding
//! its description (the `match` is exhaustive).

/// One kind of rewrite. Each has a one-line description ([`Rule::describe`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// `openapi: 3.1.x` → `3.0.3` (openapiv3 reads 3.0).
    OpenApiVersion,
    /// `type: [X, 'null']` → `type: X` + `nullable`; several non-null types → `anyOf`.
    TypeArray,
    /// `anyOf`/`oneOf` with a `{type: 'null'}` member → the other member(s) + `nullable`.
    NullableUnion,
    /// A nullable `$ref` → `allOf: [$ref]` + `nullable`.
    NullableRef,
    /// `enum` containing `null` → the other values + `nullable`.
    NullableEnum,
    /// A component schema that is itself nullable → not nullable; its uses become nullable.
    NullableComponent,
    /// `const: v` → `enum: [v]`.
    Const,
    /// `examples: [..]` → `example: <first>`.
    Examples,
    /// Numeric `exclusiveMinimum`/`exclusiveMaximum` → `minimum`/`maximum` + boolean flag.
    ExclusiveBound,
    /// `format: uuid4` (and other uuid versions) → `format: uuid` (a `uuid::Uuid`).
    UuidFormat,
    /// JSON-Schema keywords without an OpenAPI 3.0 meaning are dropped
    /// (`contentMediaType`, `propertyNames`, `$schema`, `pattern`, ...).
    UnsupportedKeyword,
    /// `$ref` with sibling keywords → `allOf: [$ref]` + the siblings (they would be lost).
    RefSiblings,
    /// `anyOf` (overlapping alternatives) → `oneOf` (an untagged enum that round-trips).
    AnyOfToOneOf,
    /// `title` below a component schema is dropped, so inline types are named after
    /// their parent and property (typify would merge every inline `title: Operator`).
    NestedTitle,
    /// A `default` that typify would reject (object/array on unions, `null`, wrong type,
    /// not in the enum, on a `$ref` to a non-enum) is dropped.
    Default,
    /// `discriminator.mapping` values written as `{$ref: ..}` objects → strings.
    DiscriminatorMapping,
    /// The discriminator property of each mapped variant becomes required, single-valued
    /// and default-free, so every variant writes it and deserialization can dispatch on it.
    DiscriminatorTag,
    /// An inline discriminated union is hoisted to a named component schema.
    HoistUnion,
    /// `nullable` on a parameter is dropped (optional already means absent).
    NullableParameter,
    /// An untyped (`{}`) 2xx JSON response → `application/octet-stream` (a byte stream).
    FileResponse,
    /// Responses of one class (success/error) with different kinds: only the first
    /// typed kind is kept; the others arrive as unexpected responses.
    MixedResponses,
    /// A request body with several media types keeps the one progenitor can express.
    BodyMediaType,
    /// A FastAPI operationId (`name_path_method`) → `name`, unique across the spec.
    OperationName,
    /// An operation progenitor cannot express is skipped.
    SkippedOperation,
    /// A `multipart/form-data` body is generated as a form-typed body (sent as multipart
    /// by the post-processing); its binary fields become byte vectors.
    MultipartBody,
    /// A `$ref` to a shared response or parameter is inlined.
    InlineRef,
    /// An `enum` next to `allOf`/`anyOf`/`oneOf` (a referenced type narrowed to some of
    /// its values): the values determine the type, the composition is dropped.
    EnumNarrows,
    /// A string `enum` whose values typify cannot name as distinct Rust variants (e.g.
    /// `.` and `X`) is generated as a plain string.
    EnumAsString,
    /// A schema that allows only `null` (`type: 'null'`, `enum: [null]`, `const: null`):
    /// no Rust type but `()` holds it, which typify cannot emit; it becomes any JSON
    /// value (`serde_json::Value`, which holds `null`).
    NullOnly,
    /// A discriminator mapping entry whose target does not exist (pydantic writes
    /// `X-Input` for a member it then names `X`) is pointed at the union member whose own
    /// tag property has that value, or at the one member no other entry maps. Ambiguous
    /// cases stay an error.
    DanglingMapping,
    /// `not` (other than `not: {}`, the `false` schema): a negation no Rust type
    /// expresses; it is dropped (the server validates it), so the schema admits more.
    NotDropped,
    /// `$defs` inside a component schema are hoisted to components of their own
    /// (`Parent` + `Def`), and `$ref`s into them follow.
    HoistDefs,
    /// A path item that is a `$ref` (to `components/pathItems` or elsewhere) is inlined.
    PathItemRef,
    /// A header parameter whose schema is an array is sent as one string, the values
    /// joined by commas (OpenAPI's `simple` style).
    HeaderArray,
    /// A 3.1 document without `paths` (only `webhooks` and/or `components`) gets an
    /// empty `paths`: a client without operations.
    EmptyPaths,
    /// An OAuth2 flow without `scopes` gets the empty map (required, may be empty).
    OAuthScopes,
    /// A request or response media type without `schema` gets the schema that says no
    /// more: `{}` for JSON, a string for `text/*`, a map for forms, bytes otherwise.
    MissingMediaSchema,
    /// A text or octet-stream request body whose schema is not the plain string (binary)
    /// progenitor takes is sent as a plain string (bytes): its constraints are not checked.
    RawBodySchema,
    /// A `deepObject` query parameter → one `name[prop]` query parameter per scalar
    /// property (its wire form).
    DeepObjectParameter,
    /// An optional object-typed query parameter (style `form`, exploded: `prop=value`)
    /// → one optional query parameter per scalar property; progenitor has no optional
    /// struct parameters.
    OptionalStructParameter,
    /// A parameter (or some of an object parameter's properties) progenitor cannot send
    /// is dropped when optional; when required, the operation is skipped instead.
    DroppedParameter,
    /// An integer beyond 64 bits in the spec text is read as the nearest double; in an
    /// integer schema a bound Rust cannot hold is widened to the nearest `i64` or dropped,
    /// an `enum`/`const` with such a value is dropped (the type admits more).
    WideInteger,
    /// A `format` that belongs to another type (`date-time` on an object) is dropped.
    ForeignFormat,
    /// A parameter with `content` (a media type) instead of `schema` becomes a string
    /// parameter: the caller passes the serialized value (JSON text for JSON).
    ContentParameter,
    /// An `info` field YAML read as a number or boolean (unquoted `version: 1.10`)
    /// becomes its text (`"1.1"`: the digits YAML dropped are lost).
    InfoText,
    /// `$recursiveRef`/`$dynamicRef` → a static `$ref` to the enclosing component (or the
    /// one declaring the `$dynamicAnchor`): an extension through the dynamic scope is
    /// not followed.
    DynamicRef,
    /// A request body's `encoding` (per-part content types of a multipart or form body)
    /// is dropped: progenitor takes none, each part is sent the default way.
    PartEncoding,
    /// A response without `description` (required by OpenAPI, left out by some
    /// generators) gets the empty one; nothing else about it changes.
    ResponseDescription,
    /// An inline property schema whose type typify would name like an existing component
    /// (`Tool` + `type` next to a component `ToolType`) gets a `title` of its own.
    InlineNameCollision,
    /// `anyOf` beside a `oneOf` whose every member it lists: the `oneOf` alone says the
    /// same (a value matching exactly one of them matches the `anyOf`), so it is dropped.
    AnyOfImpliedByOneOf,
    /// `anyOf` beside a `oneOf` with members of its own: the `oneOf` is kept, the `anyOf`
    /// dropped (progenitor takes one of them), so the type admits more.
    AnyOfBesideOneOf,
}

impl Rule {
    /// Whether the rule approximates: the generated Rust type (or operation) admits or
    /// sends something other than what the spec says — constraints left to the server,
    /// a type widened to a string or any JSON value, a guess at a broken reference, an
    /// operation or parameter left out. The generator's report lists each with its
    /// pointer, so a drop-in can be judged before building on it.
    pub fn approximates(self) -> bool {
        matches!(
            self,
            Rule::UnsupportedKeyword
                | Rule::Default
                | Rule::MixedResponses
                | Rule::SkippedOperation
                | Rule::EnumAsString
                | Rule::NullOnly
                | Rule::DanglingMapping
                | Rule::NotDropped
                | Rule::HeaderArray
                | Rule::RawBodySchema
                | Rule::DroppedParameter
                | Rule::WideInteger
                | Rule::ForeignFormat
                | Rule::ContentParameter
                | Rule::InfoText
                | Rule::DynamicRef
                | Rule::PartEncoding
                | Rule::AnyOfBesideOneOf
        )
    }

    /// One line saying what the rule does.
    pub fn describe(self) -> &'static str {
        match self {
            Rule::OpenApiVersion => "openapi 3.1 -> 3.0.3",
            Rule::TypeArray => "type: [X, 'null'] -> type: X + nullable",
            Rule::NullableUnion => "anyOf/oneOf [X, null] -> X + nullable",
            Rule::NullableRef => "nullable $ref -> allOf [$ref] + nullable",
            Rule::NullableEnum => "enum with null -> enum + nullable",
            Rule::NullableComponent => "nullable component -> nullable at its uses",
            Rule::Const => "const -> single-valued enum",
            Rule::Examples => "examples [..] -> example",
            Rule::ExclusiveBound => "numeric exclusiveMinimum/Maximum -> 3.0 form",
            Rule::UuidFormat => "format uuid4 -> uuid",
            Rule::UnsupportedKeyword => "JSON Schema keyword without 3.0 meaning dropped",
            Rule::RefSiblings => "$ref + siblings -> allOf [$ref] + siblings",
            Rule::AnyOfToOneOf => "anyOf -> oneOf",
            Rule::NestedTitle => "nested title dropped (inline types named by parent)",
            Rule::Default => "default typify would reject dropped",
            Rule::DiscriminatorMapping => "discriminator mapping {$ref} -> string",
            Rule::DiscriminatorTag => "discriminator property made required and single-valued",
            Rule::HoistUnion => "inline discriminated union hoisted to a component",
            Rule::NullableParameter => "nullable dropped on a parameter",
            Rule::FileResponse => "untyped {} success response -> byte stream",
            Rule::MixedResponses => "response of a second kind in one class dropped",
            Rule::BodyMediaType => "request body reduced to one expressible media type",
            Rule::OperationName => "FastAPI operationId -> clean method name",
            Rule::SkippedOperation => "operation progenitor cannot express skipped",
            Rule::MultipartBody => "multipart/form-data body generated as a typed form",
            Rule::InlineRef => "shared response/parameter $ref inlined",
            Rule::EnumNarrows => "enum next to allOf/anyOf/oneOf: the enum's values kept",
            Rule::EnumAsString => {
                "enum without distinct Rust variant names -> string (approximated)"
            }
            Rule::NullOnly => "null-only schema -> any JSON value (approximated)",
            Rule::DanglingMapping => "dangling discriminator mapping -> the member with that tag",
            Rule::NotDropped => "not {..} dropped (approximated: the type admits more)",
            Rule::HoistDefs => "$defs hoisted to components, $refs into them rewritten",
            Rule::PathItemRef => "path item $ref inlined",
            Rule::HeaderArray => "array header parameter -> comma-joined string",
            Rule::EmptyPaths => "3.1 document without paths -> empty paths (no operations)",
            Rule::OAuthScopes => "OAuth2 flow without scopes -> empty scopes",
            Rule::MissingMediaSchema => "media type without schema -> {} (JSON), string or bytes",
            Rule::RawBodySchema => {
                "text/octet-stream body schema -> plain string/bytes (approximated)"
            }
            Rule::DeepObjectParameter => "deepObject query parameter -> name[prop] parameters",
            Rule::OptionalStructParameter => {
                "optional object query parameter -> one parameter per property"
            }
            Rule::DroppedParameter => {
                "optional parameter (or property) progenitor cannot send dropped (approximated)"
            }
            Rule::WideInteger => {
                "integer beyond 64 bits -> nearest double; integer bound widened or dropped (approximated)"
            }
            Rule::ForeignFormat => "format of another type dropped (approximated)",
            Rule::PartEncoding => "request body encoding dropped (approximated)",
            Rule::DynamicRef => "$recursiveRef/$dynamicRef -> static $ref (approximated)",
            Rule::InfoText => "info number/boolean -> its text (approximated)",
            Rule::ContentParameter => {
                "parameter with content -> string of the serialized value (approximated)"
            }
            Rule::ResponseDescription => "response without description -> empty description",
            Rule::AnyOfImpliedByOneOf => "anyOf beside a oneOf of its members -> the oneOf",
            Rule::AnyOfBesideOneOf => "anyOf beside oneOf dropped (approximated)",
            Rule::InlineNameCollision => {
                "inline type named like a component -> titled (`...Property`)"
            }
        }
    }
}
