"""Composition output matches @apollo/composition byte for byte and is a valid supergraph."""

# Apollo prints directive definitions and join directives on long lines; the pasted output
# must stay byte-identical, so line length is not enforced in this file.
# ruff: noqa: E501

from __future__ import annotations

import enum
from pathlib import Path
from typing import Optional

import pytest
import strawberry
from graphql import build_schema

from supergraph.composition import SubgraphDefinition, compose

__all__: list[str] = []

CORPUS = Path(__file__).parents[1] / "federation" / "cases"


def _subgraphs(**sdls: str) -> list[SubgraphDefinition]:
    return [SubgraphDefinition(name, f"http://{name}", sdl) for name, sdl in sdls.items()]


ENTITIES_TASKS = """\
extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@external", "@requires", "@provides", "@override"])

type Task @key(fields: "id") {
  id: ID!
  title: String!
  assignee: User @provides(fields: "name")
}

type User @key(fields: "id") {
  id: ID!
  name: String! @external
  email: String! @external
  karma: Int @override(from: "users")
  domain: String @requires(fields: "email")
  tasks: [Task!]!
}

type Query {
  tasks: [Task!]!
}
"""


ENTITIES_USERS = """\
extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable"])

type User @key(fields: "id") {
  id: ID!
  name: String! @shareable
  email: String!
  karma: Int
}

type Query {
  me: User
}
"""


# Printed by @apollo/composition 2.14.4 (composeServices) for the subgraphs above.
ENTITIES_SUPERGRAPH = '''\
schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)
{
  query: Query
}

directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE

directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION

directive @join__graph(name: String!, url: String!) on ENUM_VALUE

directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | INTERFACE

directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR

directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION

directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA

scalar join__FieldSet

enum join__Graph {
  TASKS @join__graph(name: "tasks", url: "http://tasks")
  USERS @join__graph(name: "users", url: "http://users")
}

scalar link__Import

enum link__Purpose {
  """
  `SECURITY` features provide metadata necessary to securely resolve fields.
  """
  SECURITY

  """
  `EXECUTION` features provide metadata necessary for operation execution.
  """
  EXECUTION
}

type Query
  @join__type(graph: TASKS)
  @join__type(graph: USERS)
{
  tasks: [Task!]! @join__field(graph: TASKS)
  me: User @join__field(graph: USERS)
}

type Task
  @join__type(graph: TASKS, key: "id")
{
  id: ID!
  title: String!
  assignee: User @join__field(graph: TASKS, provides: "name")
}

type User
  @join__type(graph: TASKS, key: "id")
  @join__type(graph: USERS, key: "id")
{
  id: ID!
  name: String! @join__field(graph: TASKS, external: true) @join__field(graph: USERS)
  email: String! @join__field(graph: TASKS, external: true) @join__field(graph: USERS)
  karma: Int @join__field(graph: TASKS, override: "users")
  domain: String @join__field(graph: TASKS, requires: "email")
  tasks: [Task!]! @join__field(graph: TASKS)
}'''


ABSTRACT_CATALOG = '''\
extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@inaccessible", "@tag", "@cost", "@listSize", "@authenticated", "@requiresScopes"])

"""An ISO-8601 timestamp."""
scalar DateTime

interface Media @key(fields: "id") {
  id: ID!
  title: String!
}

type Book implements Media @key(fields: "id") {
  id: ID!
  title: String!
  pages: Int @tag(name: "public")
}

type Film implements Media @key(fields: "id") {
  id: ID!
  title: String!
  minutes: Int @inaccessible
  releasedAt: DateTime
}

union SearchResult = Book | Film

enum Genre {
  FICTION
  SCIENCE
}

input SearchFilter {
  genre: Genre
  limit: Int = 10
}

type Query {
  search(
    "Words to look for"
    text: String!
    filter: SearchFilter
  ): [SearchResult!]! @listSize(assumedSize: 20) @cost(weight: 3)
  media(id: ID!): Media @authenticated @requiresScopes(scopes: [["read:media"]])
}
'''


ABSTRACT_REVIEWS = """\
extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@interfaceObject"])

type Media @key(fields: "id") @interfaceObject {
  id: ID!
  reviews: [Review!]!
}

type Review {
  stars: Int!
  genre: Genre
}

enum Genre {
  FICTION
  SCIENCE
}

type Query {
  topReviews(first: Int = 5): [Review!]!
}
"""


# Printed by @apollo/composition 2.14.4 (composeServices) for the subgraphs above.
ABSTRACT_SUPERGRAPH = '''\
schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/join/v0.5", for: EXECUTION)
  @link(url: "https://specs.apollo.dev/tag/v0.3")
  @link(url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY)
  @link(url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY)
  @link(url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY)
  @link(url: "https://specs.apollo.dev/cost/v0.1", import: ["@listSize"])
{
  query: Query
}

directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM

directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR

directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION

directive @join__directive(graphs: [join__Graph!], name: String!, args: join__DirectiveArguments) repeatable on SCHEMA | OBJECT | INTERFACE | FIELD_DEFINITION

directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE

directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean, overrideLabel: String, contextArguments: [join__ContextArgument!]) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION

directive @join__graph(name: String!, url: String!) on ENUM_VALUE

directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | INTERFACE

directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR

directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION

directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA

directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION

directive @requiresScopes(scopes: [[requiresScopes__Scope!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM

directive @tag(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION | SCHEMA

type Book implements Media
  @join__implements(graph: CATALOG, interface: "Media")
  @join__type(graph: CATALOG, key: "id")
{
  id: ID!
  title: String!
  pages: Int @tag(name: "public")
  reviews: [Review!]! @join__field
}

"""An ISO-8601 timestamp."""
scalar DateTime
  @join__type(graph: CATALOG)

type Film implements Media
  @join__implements(graph: CATALOG, interface: "Media")
  @join__type(graph: CATALOG, key: "id")
{
  id: ID!
  title: String!
  minutes: Int @inaccessible
  releasedAt: DateTime
  reviews: [Review!]! @join__field
}

enum Genre
  @join__type(graph: CATALOG)
  @join__type(graph: REVIEWS)
{
  FICTION @join__enumValue(graph: CATALOG) @join__enumValue(graph: REVIEWS)
  SCIENCE @join__enumValue(graph: CATALOG) @join__enumValue(graph: REVIEWS)
}

input join__ContextArgument {
  name: String!
  type: String!
  context: String!
  selection: join__FieldValue!
}

scalar join__DirectiveArguments

scalar join__FieldSet

scalar join__FieldValue

enum join__Graph {
  CATALOG @join__graph(name: "catalog", url: "http://catalog")
  REVIEWS @join__graph(name: "reviews", url: "http://reviews")
}

scalar link__Import

enum link__Purpose {
  """
  `SECURITY` features provide metadata necessary to securely resolve fields.
  """
  SECURITY

  """
  `EXECUTION` features provide metadata necessary for operation execution.
  """
  EXECUTION
}

interface Media
  @join__type(graph: CATALOG, key: "id")
  @join__type(graph: REVIEWS, key: "id", isInterfaceObject: true)
{
  id: ID!
  title: String! @join__field(graph: CATALOG)
  reviews: [Review!]! @join__field(graph: REVIEWS)
}

type Query
  @join__type(graph: CATALOG)
  @join__type(graph: REVIEWS)
{
  search(
    """Words to look for"""
    text: String!
    filter: SearchFilter
  ): [SearchResult!]! @join__field(graph: CATALOG) @listSize(assumedSize: 20) @cost(weight: 3)
  media(id: ID!): Media @join__field(graph: CATALOG) @authenticated @requiresScopes(scopes: [["read:media"]])
  topReviews(first: Int = 5): [Review!]! @join__field(graph: REVIEWS)
}

scalar requiresScopes__Scope

type Review
  @join__type(graph: REVIEWS)
{
  stars: Int!
  genre: Genre
}

input SearchFilter
  @join__type(graph: CATALOG)
{
  genre: Genre
  limit: Int = 10
}

union SearchResult
  @join__type(graph: CATALOG)
  @join__unionMember(graph: CATALOG, member: "Book")
  @join__unionMember(graph: CATALOG, member: "Film")
 = Book | Film'''


RENAMED_GROUPS = """\
extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: [{name: "@key", as: "@id"}])

type Group @id(fields: "id") {
  id: ID!
  name: String @federation__shareable
}

type Query {
  groups: [Group!]!
}
"""


RENAMED_MEMBERS = """\
extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", as: "fed", import: ["@key"])

extend type Group @key(fields: "id") {
  id: ID! @fed__external
  name: String! @fed__shareable
  size: Int
}

type Query {
  group(id: ID!): Group
}
"""


# Printed by @apollo/composition 2.14.4 (composeServices) for the subgraphs above.
RENAMED_SUPERGRAPH = '''\
schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/join/v0.4", for: EXECUTION)
{
  query: Query
}

directive @join__directive(graphs: [join__Graph!], name: String!, args: join__DirectiveArguments) repeatable on SCHEMA | OBJECT | INTERFACE | FIELD_DEFINITION

directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE

directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean, overrideLabel: String) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION

directive @join__graph(name: String!, url: String!) on ENUM_VALUE

directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | INTERFACE

directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR

directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION

directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA

type Group
  @join__type(graph: GROUPS, key: "id")
  @join__type(graph: MEMBERS, key: "id", extension: true)
{
  id: ID!
  name: String @join__field(graph: GROUPS, type: "String") @join__field(graph: MEMBERS, type: "String!")
  size: Int @join__field(graph: MEMBERS)
}

scalar join__DirectiveArguments

scalar join__FieldSet

enum join__Graph {
  GROUPS @join__graph(name: "groups", url: "http://groups")
  MEMBERS @join__graph(name: "members", url: "http://members")
}

scalar link__Import

enum link__Purpose {
  """
  `SECURITY` features provide metadata necessary to securely resolve fields.
  """
  SECURITY

  """
  `EXECUTION` features provide metadata necessary for operation execution.
  """
  EXECUTION
}

type Query
  @join__type(graph: GROUPS)
  @join__type(graph: MEMBERS)
{
  groups: [Group!]! @join__field(graph: GROUPS)
  group(id: ID!): Group @join__field(graph: MEMBERS)
}'''


MISC_ALPHA = '''\
extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key", "@shareable", "@external", "@provides", "@tag", "@inaccessible"])

"""
Root query.
Has two lines.
"""
type Query {
  "Find an org"
  org(id: ID!, "include archived?" archived: Boolean = false): Org @deprecated(reason: "use orgs")
  orgs(first: Int = 10, after: String): [Org!]! @shareable @tag(name: "a") @tag(name: "b")
  search(filter: Filter!): [Result!]!
}

type Subscription {
  orgChanged: Org
}

"An organisation"
type Org @key(fields: "id") @key(fields: "slug region { code }") {
  id: ID!
  slug: String!
  region: Region!
  "The name, \\"quoted\\""
  name: String @shareable
  kind: Kind @deprecated
}

type Region @shareable {
  code: String!
  label: String
}

enum Kind {
  "A company"
  COMPANY
  NGO @deprecated(reason: "gone")
  GOV @inaccessible
}

input Filter {
  text: String
  kinds: [Kind!] = [COMPANY]
  only: Boolean
}

interface Named {
  name: String
}

interface Entity implements Named {
  id: ID!
  name: String
}

type Person implements Entity & Named @key(fields: "id") {
  id: ID!
  name: String @shareable
  org: Org @shareable
}

union Result = Org | Person

scalar URL @specifiedBy(url: "https://tools.ietf.org/html/rfc3986")

type Link {
  href: URL!
}

extend type Query {
  link: Link
  named: Named
}
'''


MISC_BETA = """\
extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key", "@shareable", "@external", "@provides", "@tag"])

type Query {
  "Look up orgs"
  orgs(first: Int = 10): [Org!]! @shareable @tag(name: "b") @tag(name: "c")
  people: [Person!]! @provides(fields: "org { name }")
}

"An organisation, seen from beta"
type Org @key(fields: "id") {
  id: ID!
  name: String @shareable
  members: [Person!]!
}

type Person @key(fields: "id") {
  id: ID!
  org: Org @external
}

enum Kind {
  COMPANY
  NGO
  GOV
}

input Filter {
  text: String
  kinds: [Kind!] = [COMPANY]
}

type Region @shareable {
  code: String!
  label: String
}

union Result = Person
"""


# Printed by @apollo/composition 2.14.4 (composeServices) for the subgraphs above.
MISC_SUPERGRAPH = '''\
schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)
  @link(url: "https://specs.apollo.dev/tag/v0.3")
  @link(url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY)
{
  query: Query
  subscription: Subscription
}

directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION

directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE

directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION

directive @join__graph(name: String!, url: String!) on ENUM_VALUE

directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | INTERFACE

directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR

directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION

directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA

directive @tag(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION | SCHEMA

interface Entity implements Named
  @join__implements(graph: ALPHA, interface: "Named")
  @join__type(graph: ALPHA)
{
  id: ID!
  name: String
}

input Filter
  @join__type(graph: ALPHA)
  @join__type(graph: BETA)
{
  text: String
  kinds: [Kind!] = [COMPANY]
}

scalar join__FieldSet

enum join__Graph {
  ALPHA @join__graph(name: "alpha", url: "http://alpha")
  BETA @join__graph(name: "beta", url: "http://beta")
}

enum Kind
  @join__type(graph: ALPHA)
  @join__type(graph: BETA)
{
  """A company"""
  COMPANY @join__enumValue(graph: ALPHA) @join__enumValue(graph: BETA)
  NGO @join__enumValue(graph: ALPHA) @join__enumValue(graph: BETA) @deprecated(reason: "gone")
  GOV @inaccessible @join__enumValue(graph: ALPHA) @join__enumValue(graph: BETA)
}

type Link
  @join__type(graph: ALPHA)
{
  href: URL!
}

scalar link__Import

enum link__Purpose {
  """
  `SECURITY` features provide metadata necessary to securely resolve fields.
  """
  SECURITY

  """
  `EXECUTION` features provide metadata necessary for operation execution.
  """
  EXECUTION
}

interface Named
  @join__type(graph: ALPHA)
{
  name: String
}

"""An organisation"""
type Org
  @join__type(graph: ALPHA, key: "id")
  @join__type(graph: ALPHA, key: "slug region { code }")
  @join__type(graph: BETA, key: "id")
{
  id: ID!
  slug: String! @join__field(graph: ALPHA)
  region: Region! @join__field(graph: ALPHA)

  """
  The name, "quoted"
  """
  name: String
  kind: Kind @join__field(graph: ALPHA) @deprecated
  members: [Person!]! @join__field(graph: BETA)
}

type Person implements Entity & Named
  @join__implements(graph: ALPHA, interface: "Entity")
  @join__implements(graph: ALPHA, interface: "Named")
  @join__type(graph: ALPHA, key: "id")
  @join__type(graph: BETA, key: "id")
{
  id: ID!
  name: String @join__field(graph: ALPHA)
  org: Org @join__field(graph: ALPHA) @join__field(graph: BETA, external: true)
}

"""
Root query.
Has two lines.
"""
type Query
  @join__type(graph: ALPHA)
  @join__type(graph: BETA)
{
  """Find an org"""
  org(
    id: ID!

    """include archived?"""
    archived: Boolean = false
  ): Org @join__field(graph: ALPHA) @deprecated(reason: "use orgs")

  """Look up orgs"""
  orgs(first: Int = 10): [Org!]! @tag(name: "a") @tag(name: "b") @tag(name: "c")
  search(filter: Filter!): [Result!]! @join__field(graph: ALPHA)
  link: Link @join__field(graph: ALPHA)
  named: Named @join__field(graph: ALPHA)
  people: [Person!]! @join__field(graph: BETA, provides: "org { name }")
}

type Region
  @join__type(graph: ALPHA)
  @join__type(graph: BETA)
{
  code: String!
  label: String
}

union Result
  @join__type(graph: ALPHA)
  @join__type(graph: BETA)
  @join__unionMember(graph: ALPHA, member: "Org")
  @join__unionMember(graph: ALPHA, member: "Person")
  @join__unionMember(graph: BETA, member: "Person")
 = Org | Person

type Subscription
  @join__type(graph: ALPHA)
{
  orgChanged: Org
}

scalar URL
  @join__type(graph: ALPHA)
  @specifiedBy(url: "https://tools.ietf.org/html/rfc3986")'''


FED1_ACCOUNTS = """\
type User @key(fields: "id") {
  id: ID!
  name: String
  username: String
}

extend type Query {
  me: User
}
"""


FED1_INVENTORY = """\
type Query {
  version: String
}
"""


FED1_REVIEWS = """\
type Review @key(fields: "id") {
  id: ID!
  body: String
  author: User @provides(fields: "username")
}

extend type User @key(fields: "id") {
  id: ID! @external
  username: String @external
  reviews: [Review]
}

type Query {
  topReviews: [Review]
  version: String
}
"""


# Printed by @apollo/composition 2.14.4 (composeServices) for the subgraphs above.
FED1_SUPERGRAPH = '''\
schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)
{
  query: Query
}

directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE

directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION

directive @join__graph(name: String!, url: String!) on ENUM_VALUE

directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | INTERFACE

directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR

directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION

directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA

scalar join__FieldSet

enum join__Graph {
  ACCOUNTS @join__graph(name: "accounts", url: "http://accounts")
  INVENTORY @join__graph(name: "inventory", url: "http://inventory")
  REVIEWS @join__graph(name: "reviews", url: "http://reviews")
}

scalar link__Import

enum link__Purpose {
  """
  `SECURITY` features provide metadata necessary to securely resolve fields.
  """
  SECURITY

  """
  `EXECUTION` features provide metadata necessary for operation execution.
  """
  EXECUTION
}

type Query
  @join__type(graph: ACCOUNTS)
  @join__type(graph: INVENTORY)
  @join__type(graph: REVIEWS)
{
  me: User @join__field(graph: ACCOUNTS)
  version: String @join__field(graph: INVENTORY) @join__field(graph: REVIEWS)
  topReviews: [Review] @join__field(graph: REVIEWS)
}

type Review
  @join__type(graph: REVIEWS, key: "id")
{
  id: ID!
  body: String
  author: User @join__field(graph: REVIEWS, provides: "username")
}

type User
  @join__type(graph: ACCOUNTS, key: "id")
  @join__type(graph: REVIEWS, key: "id")
{
  id: ID!
  name: String @join__field(graph: ACCOUNTS)
  username: String @join__field(graph: ACCOUNTS) @join__field(graph: REVIEWS, external: true)
  reviews: [Review] @join__field(graph: REVIEWS)
}'''


AUTH_A = """\
extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@shareable", "@authenticated", "@requiresScopes", "@policy", "@cost", "@listSize"])

interface Doc {
  id: ID!
  body: String
}

type Memo implements Doc @key(fields: "id") @authenticated {
  id: ID!
  body: String @requiresScopes(scopes: [["memo:read"]]) @shareable @cost(weight: 2)
}

type Note implements Doc @key(fields: "id") {
  id: ID!
  body: String @policy(policies: [["notes"]])
}

type Query {
  docs: [Doc!]! @listSize(assumedSize: 5) @shareable
}
"""


AUTH_B = """\
extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@shareable", "@requiresScopes", "@cost", "@listSize"])

type Memo implements Doc @key(fields: "id") {
  id: ID!
  body: String @requiresScopes(scopes: [["memo:write"], ["admin"]]) @shareable @cost(weight: 7)
}

type Query {
  docs: [Doc!]! @listSize(assumedSize: 9, slicingArguments: []) @shareable
}

interface Doc {
  id: ID!
  body: String
}
"""


# Printed by @apollo/composition 2.14.4 (composeServices) for the subgraphs above.
AUTH_SUPERGRAPH = '''\
schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/join/v0.5", for: EXECUTION)
  @link(url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY)
  @link(url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY)
  @link(url: "https://specs.apollo.dev/policy/v0.1", for: SECURITY)
  @link(url: "https://specs.apollo.dev/cost/v0.1", import: ["@listSize"])
{
  query: Query
}

directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM

directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR

directive @join__directive(graphs: [join__Graph!], name: String!, args: join__DirectiveArguments) repeatable on SCHEMA | OBJECT | INTERFACE | FIELD_DEFINITION

directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE

directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean, overrideLabel: String, contextArguments: [join__ContextArgument!]) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION

directive @join__graph(name: String!, url: String!) on ENUM_VALUE

directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | INTERFACE

directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR

directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION

directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA

directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION

directive @policy(policies: [[policy__Policy!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM

directive @requiresScopes(scopes: [[requiresScopes__Scope!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM

interface Doc
  @join__type(graph: A)
  @join__type(graph: B)
  @authenticated
{
  id: ID!
  body: String @requiresScopes(scopes: [["admin", "memo:read"], ["memo:read", "memo:write"]]) @policy(policies: [["notes"]])
}

input join__ContextArgument {
  name: String!
  type: String!
  context: String!
  selection: join__FieldValue!
}

scalar join__DirectiveArguments

scalar join__FieldSet

scalar join__FieldValue

enum join__Graph {
  A @join__graph(name: "a", url: "http://a")
  B @join__graph(name: "b", url: "http://b")
}

scalar link__Import

enum link__Purpose {
  """
  `SECURITY` features provide metadata necessary to securely resolve fields.
  """
  SECURITY

  """
  `EXECUTION` features provide metadata necessary for operation execution.
  """
  EXECUTION
}

type Memo implements Doc
  @join__implements(graph: A, interface: "Doc")
  @join__implements(graph: B, interface: "Doc")
  @join__type(graph: A, key: "id")
  @join__type(graph: B, key: "id")
  @authenticated
{
  id: ID!
  body: String @requiresScopes(scopes: [["admin", "memo:read"], ["memo:read", "memo:write"]]) @cost(weight: 7)
}

type Note implements Doc
  @join__implements(graph: A, interface: "Doc")
  @join__type(graph: A, key: "id")
{
  id: ID!
  body: String @policy(policies: [["notes"]])
}

scalar policy__Policy

type Query
  @join__type(graph: A)
  @join__type(graph: B)
{
  docs: [Doc!]! @listSize(assumedSize: 9, slicingArguments: [], requireOneSlicingArgument: true)
}

scalar requiresScopes__Scope'''


ROOTS_ONE = """\
schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"]) {
  query: RootQuery
  mutation: RootMutation
}

type RootQuery {
  ping(loud: Boolean, times: Int = 1): String @shareable
  self: RootQuery
}

type RootMutation {
  bump(input: BumpInput!): Int
}

input BumpInput {
  by: Int! = 1
  reason: String
  note: String = "none"
}

"Colours"
enum Colour {
  "Red!"
  RED
  GREEN
}

type Paint @key(fields: "id") {
  id: ID!
  colour: Colour
}

extend type RootQuery {
  paint: Paint
}
"""


ROOTS_TWO = """\
extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"])

type Query {
  ping(times: Int = 1): String @shareable
}

type Mutation {
  reset(input: BumpInput): Boolean
}

input BumpInput {
  by: Int!
  reason: String
}

"The colours"
enum Colour {
  "Red!"
  RED
  GREEN
  BLUE
}

type Paint @key(fields: "id") {
  id: ID!
  shade: Colour
}
"""


# Printed by @apollo/composition 2.14.4 (composeServices) for the subgraphs above.
ROOTS_SUPERGRAPH = '''\
schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/join/v0.4", for: EXECUTION)
{
  query: Query
  mutation: Mutation
}

directive @join__directive(graphs: [join__Graph!], name: String!, args: join__DirectiveArguments) repeatable on SCHEMA | OBJECT | INTERFACE | FIELD_DEFINITION

directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE

directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean, overrideLabel: String) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION

directive @join__graph(name: String!, url: String!) on ENUM_VALUE

directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | INTERFACE

directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR

directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION

directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA

input BumpInput
  @join__type(graph: ONE)
  @join__type(graph: TWO)
{
  by: Int!
  reason: String
}

"""Colours"""
enum Colour
  @join__type(graph: ONE)
  @join__type(graph: TWO)
{
  """Red!"""
  RED @join__enumValue(graph: ONE) @join__enumValue(graph: TWO)
  GREEN @join__enumValue(graph: ONE) @join__enumValue(graph: TWO)
  BLUE @join__enumValue(graph: TWO)
}

scalar join__DirectiveArguments

scalar join__FieldSet

enum join__Graph {
  ONE @join__graph(name: "one", url: "http://one")
  TWO @join__graph(name: "two", url: "http://two")
}

scalar link__Import

enum link__Purpose {
  """
  `SECURITY` features provide metadata necessary to securely resolve fields.
  """
  SECURITY

  """
  `EXECUTION` features provide metadata necessary for operation execution.
  """
  EXECUTION
}

type Mutation
  @join__type(graph: ONE)
  @join__type(graph: TWO)
{
  bump(input: BumpInput!): Int @join__field(graph: ONE)
  reset(input: BumpInput): Boolean @join__field(graph: TWO)
}

type Paint
  @join__type(graph: ONE, key: "id")
  @join__type(graph: TWO, key: "id")
{
  id: ID!
  colour: Colour @join__field(graph: ONE)
  shade: Colour @join__field(graph: TWO)
}

type Query
  @join__type(graph: ONE)
  @join__type(graph: TWO)
{
  ping(times: Int = 1): String
  self: Query @join__field(graph: ONE)
  paint: Paint @join__field(graph: ONE)
}'''


MORE_P = '''\
extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable", "@external", "@requires", "@provides", "@override"])

type Query {
  """
    Indented first line
  and a second line
  """
  products: [Product!]!
  feed: [Item] @shareable
}

type Subscription {
  productAdded: Product!
}

type Product @key(fields: "upc") @key(fields: "sku vendor { id }", resolvable: false) {
  upc: String!
  sku: String!
  vendor: Vendor!
  price: Int @shareable
  weight: Int @shareable
}

type Vendor @shareable {
  id: ID!
  name: String
}

union Item = Product | Ad

type Ad {
  text: String
}

'''


MORE_Q = """\
extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable", "@external", "@requires", "@provides", "@override"])

type Product @key(fields: "upc") {
  upc: String!
  price: Int @external
  weight: Int @external
  shippingCost: Int @requires(fields: "price weight")
  price2: Int @override(from: "p", label: "rollout")
}

type Query {
  cheapest: Product @provides(fields: "price")
  feed: [Item] @shareable
}

union Item = Product | Promo

type Promo {
  code: String
}
"""


# Printed by @apollo/composition 2.14.4 (composeServices) for the subgraphs above.
MORE_SUPERGRAPH = '''\
schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/join/v0.4", for: EXECUTION)
{
  query: Query
  subscription: Subscription
}

directive @join__directive(graphs: [join__Graph!], name: String!, args: join__DirectiveArguments) repeatable on SCHEMA | OBJECT | INTERFACE | FIELD_DEFINITION

directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE

directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean, overrideLabel: String) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION

directive @join__graph(name: String!, url: String!) on ENUM_VALUE

directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | INTERFACE

directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR

directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION

directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA

type Ad
  @join__type(graph: P)
{
  text: String
}

union Item
  @join__type(graph: P)
  @join__type(graph: Q)
  @join__unionMember(graph: P, member: "Product")
  @join__unionMember(graph: Q, member: "Product")
  @join__unionMember(graph: P, member: "Ad")
  @join__unionMember(graph: Q, member: "Promo")
 = Product | Ad | Promo

scalar join__DirectiveArguments

scalar join__FieldSet

enum join__Graph {
  P @join__graph(name: "p", url: "http://p")
  Q @join__graph(name: "q", url: "http://q")
}

scalar link__Import

enum link__Purpose {
  """
  `SECURITY` features provide metadata necessary to securely resolve fields.
  """
  SECURITY

  """
  `EXECUTION` features provide metadata necessary for operation execution.
  """
  EXECUTION
}

type Product
  @join__type(graph: P, key: "upc")
  @join__type(graph: P, key: "sku vendor { id }", resolvable: false)
  @join__type(graph: Q, key: "upc")
{
  upc: String!
  sku: String! @join__field(graph: P)
  vendor: Vendor! @join__field(graph: P)
  price: Int @join__field(graph: P) @join__field(graph: Q, external: true)
  weight: Int @join__field(graph: P) @join__field(graph: Q, external: true)
  shippingCost: Int @join__field(graph: Q, requires: "price weight")
  price2: Int @join__field(graph: Q, override: "p")
}

type Promo
  @join__type(graph: Q)
{
  code: String
}

type Query
  @join__type(graph: P)
  @join__type(graph: Q)
{
  """
    Indented first line
  and a second line
  """
  products: [Product!]! @join__field(graph: P)
  feed: [Item]
  cheapest: Product @join__field(graph: Q, provides: "price")
}

type Subscription
  @join__type(graph: P)
{
  productAdded: Product!
}

type Vendor
  @join__type(graph: P)
{
  id: ID!
  name: String
}'''


CASES = {
    "entities": (
        {"users": ENTITIES_USERS, "tasks": ENTITIES_TASKS},
        ENTITIES_SUPERGRAPH,
    ),
    "abstract": (
        {"catalog": ABSTRACT_CATALOG, "reviews": ABSTRACT_REVIEWS},
        ABSTRACT_SUPERGRAPH,
    ),
    "renamed": (
        {"groups": RENAMED_GROUPS, "members": RENAMED_MEMBERS},
        RENAMED_SUPERGRAPH,
    ),
    "misc": (
        {"alpha": MISC_ALPHA, "beta": MISC_BETA},
        MISC_SUPERGRAPH,
    ),
    "fed1": (
        {"accounts": FED1_ACCOUNTS, "inventory": FED1_INVENTORY, "reviews": FED1_REVIEWS},
        FED1_SUPERGRAPH,
    ),
    "auth": (
        {"a": AUTH_A, "b": AUTH_B},
        AUTH_SUPERGRAPH,
    ),
    "roots": (
        {"one": ROOTS_ONE, "two": ROOTS_TWO},
        ROOTS_SUPERGRAPH,
    ),
    "more": (
        {"p": MORE_P, "q": MORE_Q},
        MORE_SUPERGRAPH,
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_output_is_byte_for_byte_apollos(case: str) -> None:
    sdls, expected = CASES[case]
    assert compose(_subgraphs(**sdls)) == expected


@pytest.mark.parametrize("case", sorted(CASES))
def test_output_does_not_depend_on_subgraph_order(case: str) -> None:
    sdls, _ = CASES[case]
    forward = compose(_subgraphs(**sdls))
    backward = compose(_subgraphs(**dict(reversed(list(sdls.items())))))
    assert forward == backward


@pytest.mark.parametrize("case", sorted(CASES))
def test_supergraph_is_valid_graphql(case: str) -> None:
    sdls, _ = CASES[case]
    schema = build_schema(compose(_subgraphs(**sdls)))
    assert schema.query_type is not None
    assert schema.get_directive("join__field") is not None


def _corpus_cases() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.iterdir() if (p / "supergraph.graphql").is_file())


@pytest.mark.parametrize("case", _corpus_cases(), ids=lambda p: p.name)
def test_corpus_supergraph_is_reproduced_exactly(case: Path) -> None:
    # The corpus supergraphs were written by @apollo/composition (tests/federation/node).
    subgraphs = [
        SubgraphDefinition(f.stem, f"http://{f.stem}.invalid/graphql", f.read_text())
        for f in sorted((case / "subgraphs").glob("*.graphql"))
    ]
    assert compose(subgraphs) + "\n" == (case / "supergraph.graphql").read_text()


def _merged_field_line(supergraph: str, type_name: str, field_name: str) -> str:
    block = supergraph.split(f"\ntype {type_name}\n", 1)[1].split("\n}", 1)[0]
    return next(line.strip() for line in block.splitlines() if line.strip().startswith(field_name))


def test_output_field_takes_the_least_strict_nullability_and_records_each_type() -> None:
    a = """
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable"])
    type User @key(fields: "id") { id: ID! nick: String! @shareable }
    type Query { me: User }
    """
    b = """
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable"])
    type User @key(fields: "id") { id: ID! nick: String @shareable }
    """
    supergraph = compose(_subgraphs(a=a, b=b))
    assert _merged_field_line(supergraph, "User", "nick") == (
        'nick: String @join__field(graph: A, type: "String!") @join__field(graph: B, type: "String")'
    )
    assert _merged_field_line(supergraph, "User", "id") == "id: ID!"


def test_argument_takes_the_most_strict_type() -> None:
    a = """
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@shareable"])
    type Query { hello(name: String): String @shareable }
    """
    b = """
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@shareable"])
    type Query { hello(name: String!): String @shareable }
    """
    supergraph = compose(_subgraphs(a=a, b=b))
    assert "  hello(name: String!): String\n" in supergraph


@strawberry.enum
class Priority(enum.Enum):
    LOW = "low"
    HIGH = "high"


@strawberry.federation.type(keys=["id"])
class Member:
    id: strawberry.ID
    name: str = strawberry.federation.field(external=True)
    email: str = strawberry.federation.field(external=True)

    @strawberry.federation.field(requires=["email"])
    def gravatar(self) -> str:
        return self.email


@strawberry.federation.type(keys=["id"])
class Chore:
    id: strawberry.ID
    priority: Priority
    owner: Optional[Member] = strawberry.federation.field(provides=["name"])  # noqa: UP045


@strawberry.type
class ChoresQuery:
    @strawberry.field
    def chores(self) -> list[Chore]:
        return []


MEMBERS_SDL = """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"])
type Member @key(fields: "id") {
  id: ID!
  name: String! @shareable
  email: String!
}
type Query { member(id: ID!): Member }
"""


def test_strawberry_federation_sdl_composes() -> None:
    chores = strawberry.federation.Schema(query=ChoresQuery).as_str()
    supergraph = compose(_subgraphs(chores=chores, members=MEMBERS_SDL))
    build_schema(supergraph)
    assert '@link(url: "https://specs.apollo.dev/join/v0.5", for: EXECUTION)' in supergraph
    assert "_entities" not in supergraph
    assert "_Service" not in supergraph
    member = supergraph.split("\ntype Member\n", 1)[1].split("\n}", 1)[0]
    assert '@join__type(graph: CHORES, key: "id")' in member
    assert '@join__type(graph: MEMBERS, key: "id")' in member
    assert (
        "  name: String! @join__field(graph: CHORES, external: true) @join__field(graph: MEMBERS)"
        in member
    )
    assert (
        "  email: String! @join__field(graph: CHORES, external: true) @join__field(graph: MEMBERS)"
        in member
    )
    assert '  gravatar: String! @join__field(graph: CHORES, requires: "email")' in member
    assert '  owner: Member @join__field(graph: CHORES, provides: "name")' in supergraph
    assert "  LOW @join__enumValue(graph: CHORES)" in supergraph


def test_executable_directives_every_subgraph_defines_are_kept_with_common_locations() -> None:
    link = (
        'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])\n'
    )
    a = link + (
        'directive @trim(chars: String = " ") on FIELD | QUERY\n'
        "directive @audit on FIELD_DEFINITION\n"
        "directive @only_a on FIELD\n"
        "type Query { a: String @audit }"
    )
    b = link + (
        'directive @trim(chars: String = " ") on FIELD | FRAGMENT_SPREAD\ntype Query { b: String }'
    )
    supergraph = compose(_subgraphs(a=a, b=b))
    assert '\ndirective @trim(chars: String = " ") on FIELD\n' in supergraph
    assert "@audit" not in supergraph
    assert "@only_a" not in supergraph
