/**
 * Checks the project rule "every public symbol documented, no `any` in public APIs" mechanically,
 * with the TypeScript compiler API.
 *
 * The public API is whatever the five entry points export. For each export (re-exports and aliases
 * followed to the declaration; `export * as ns` namespaces walked member by member) the test
 * requires:
 *
 * - a JSDoc comment with text on the declaration (one per overload group, getter/setter pair or
 *   declaration-merged group is enough);
 * - for classes and interfaces, the same for every public member declared in that class or
 *   interface: methods, properties, accessors, static ones included. Constructors, `private`,
 *   `protected`, `#private` and `@internal` members are skipped. Overrides and implementations
 *   of an interface's members count as declared here and need their own doc (they say what this
 *   class does); a constructor parameter property counts as documented by its `@param` tag;
 * - no `any` in the declared public type: parameter, return, property, type-alias, constraint and
 *   heritage type annotations (written `any`), and inferred types that resolve to `any`
 *   (including `any` inside unions, type arguments and function types). `unknown` and `never` are
 *   fine.
 *
 * Failures list every offending symbol as `entry  symbol  file:line  problem`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The package's entry points, by the name users import them under. */
const entries: Record<string, string> = {
  "reed": "src/index.ts",
  "reed/node": "src/node/index.ts",
  "reed/testing": "src/testing/index.ts",
  "reed/browser": "src/browser/index.ts",
  "reed/poetry": "src/apps/poetry/index.ts",
};

/** One finding: which public symbol, where, and what is wrong with it. */
interface Problem {
  key: string;
  where: string;
  what: string;
}

function loadProgram(): { program: ts.Program; checker: ts.TypeChecker } {
  const configPath = join(root, "tsconfig.json");
  const read = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p));
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, "\n"));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, root, undefined, configPath);
  // Only the entry points as roots: the program pulls in exactly what they reach, which keeps the
  // build to a couple of seconds instead of also compiling every test, bench and example.
  const rootNames = Object.values(entries).map((f) => join(root, f));
  const program = ts.createProgram({ rootNames, options: { ...parsed.options, noEmit: true } });
  return { program, checker: program.getTypeChecker() };
}

function where(node: ts.Node): string {
  const sf = node.getSourceFile();
  const { line } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
  return `${relative(root, sf.fileName)}:${line + 1}`;
}

function commentText(c: string | ts.NodeArray<ts.JSDocComment> | undefined): string {
  if (c === undefined) return "";
  if (typeof c === "string") return c.trim();
  return c.map((p) => p.text).join("").trim();
}

/** Whether a declaration carries a JSDoc comment with text (or a `@param` with text, for parameters). */
function hasDoc(decl: ts.Node): boolean {
  for (const d of ts.getJSDocCommentsAndTags(decl)) {
    if (ts.isJSDoc(d)) {
      if (commentText(d.comment) !== "") return true;
    } else if (ts.isJSDocParameterTag(d) && commentText(d.comment) !== "") {
      return true;
    }
  }
  return false;
}

function isInternal(decl: ts.Node): boolean {
  return ts.getJSDocTags(decl).some((t) => t.tagName.text === "internal");
}

function isNonPublic(decl: ts.Declaration): boolean {
  const flags = ts.getCombinedModifierFlags(decl);
  if (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) return true;
  const name = ts.getNameOfDeclaration(decl);
  return name !== undefined && ts.isPrivateIdentifier(name);
}

function symbolHasDoc(sym: ts.Symbol): boolean {
  return (sym.declarations ?? []).some(hasDoc);
}

const memberKinds = new Set<ts.SyntaxKind>([
  ts.SyntaxKind.MethodDeclaration,
  ts.SyntaxKind.MethodSignature,
  ts.SyntaxKind.PropertyDeclaration,
  ts.SyntaxKind.PropertySignature,
  ts.SyntaxKind.GetAccessor,
  ts.SyntaxKind.SetAccessor,
  ts.SyntaxKind.Parameter, // constructor parameter properties
]);

/** Members checked for `any` only. */
const anyOnlyKinds = new Set<ts.SyntaxKind>([
  ts.SyntaxKind.Constructor,
  ts.SyntaxKind.CallSignature,
  ts.SyntaxKind.ConstructSignature,
  ts.SyntaxKind.IndexSignature,
]);

function runCheck(): { problems: Problem[]; symbols: number } {
  const { program, checker } = loadProgram();
  const problems: Problem[] = [];
  const seen = new Set<string>();
  let symbols = 0;

  const report = (key: string, node: ts.Node, what: string): void => {
    // The same declaration is reached through several entries or names (`amp.Command`, `Command`).
    const at = where(node);
    const id = `${key}\u0000${at}\u0000${what}`;
    if (seen.has(id)) return;
    seen.add(id);
    problems.push({ key, where: at, what });
  };

  // --- `any` detection -------------------------------------------------------------------------

  /** Written `any` in type positions of a declaration, not descending into bodies or initializers. */
  function writtenAny(node: ts.Node, out: ts.Node[]): void {
    if (node.kind === ts.SyntaxKind.AnyKeyword) {
      out.push(node);
      return;
    }
    if (ts.isBlock(node)) return;
    if (ts.isClassLike(node) || ts.isInterfaceDeclaration(node)) {
      // Heritage clauses and type parameters of the class itself; members are checked one by one.
      node.typeParameters?.forEach((p) => writtenAny(p, out));
      node.heritageClauses?.forEach((h) => writtenAny(h, out));
      return;
    }
    if ((ts.isVariableDeclaration(node) || ts.isPropertyDeclaration(node) || ts.isParameter(node)) && node.initializer) {
      node.forEachChild((c) => {
        if (c !== node.initializer) writtenAny(c, out);
      });
      return;
    }
    if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) {
      node.forEachChild((c) => {
        if (c !== node.body) writtenAny(c, out);
      });
      return;
    }
    if (ts.isJSDoc(node)) return;
    node.forEachChild((c) => writtenAny(c, out));
  }

  /** Whether a type is or contains `any` in a public position (shallow through named object types). */
  function containsAny(type: ts.Type, depth: number, visiting: Set<ts.Type>): boolean {
    if (type.flags & ts.TypeFlags.Any) return true;
    if (depth > 4 || visiting.has(type)) return false;
    visiting.add(type);
    try {
      if (type.isUnionOrIntersection()) return type.types.some((t) => containsAny(t, depth + 1, visiting));
      if ((type.flags & ts.TypeFlags.Object) && ((type as ts.ObjectType).objectFlags & ts.ObjectFlags.Reference)) {
        // Library generics default some parameters to `any` (`Iterator<T, TReturn = any, TNext = any>`);
        // those are not ours. A written `Promise<any>` is caught by writtenAny instead.
        const fromLib = (type.getSymbol()?.declarations ?? []).some((d) => {
          const sf = d.getSourceFile();
          return program.isSourceFileDefaultLibrary(sf) || program.isSourceFileFromExternalLibrary(sf) || sf.isDeclarationFile;
        });
        const args = fromLib ? [] : checker.getTypeArguments(type as ts.TypeReference);
        if (args.some((t) => containsAny(t, depth + 1, visiting))) return true;
      }
      // Anonymous function and object types are part of the surrounding signature; named ones are
      // checked at their own declaration.
      if ((type.flags & ts.TypeFlags.Object) && ((type as ts.ObjectType).objectFlags & ts.ObjectFlags.Anonymous)) {
        const sym = type.getSymbol();
        const named = sym?.declarations?.some((d) => ts.isClassLike(d) || ts.isFunctionDeclaration(d) || ts.isMethodDeclaration(d) || ts.isSourceFile(d) || ts.isModuleDeclaration(d));
        if (!named) {
          for (const sig of [...type.getCallSignatures(), ...type.getConstructSignatures()]) {
            if (signatureHasAny(sig, depth + 1, visiting)) return true;
          }
          for (const p of type.getProperties()) {
            const decl = p.valueDeclaration ?? p.declarations?.[0];
            if (!decl) continue;
            if (containsAny(checker.getTypeOfSymbolAtLocation(p, decl), depth + 1, visiting)) return true;
          }
        }
      }
      return false;
    } finally {
      visiting.delete(type);
    }
  }

  function signatureHasAny(sig: ts.Signature, depth: number, visiting: Set<ts.Type>): boolean {
    for (const p of sig.getParameters()) {
      const decl = p.valueDeclaration;
      if (decl && containsAny(checker.getTypeOfSymbolAtLocation(p, decl), depth, visiting)) return true;
    }
    return containsAny(sig.getReturnType(), depth, visiting);
  }

  function checkAny(key: string, sym: ts.Symbol): void {
    for (const decl of sym.declarations ?? []) {
      // The implementation signature of an overloaded function is not callable from outside.
      if (ts.isFunctionLike(decl) && checker.isImplementationOfOverload(decl as ts.SignatureDeclaration)) continue;
      const found: ts.Node[] = [];
      writtenAny(decl, found);
      for (const n of found) report(key, n, "`any` in its declared type");
      if (found.length > 0) return;
    }
    // Inferred types: the symbol's own type (functions: every signature's parameters and result).
    const decl = sym.valueDeclaration;
    if (!decl || ts.isClassLike(decl) || ts.isSourceFile(decl) || ts.isModuleDeclaration(decl)) return;
    const type = checker.getTypeOfSymbolAtLocation(sym, decl);
    const isFn = ts.isFunctionLike(decl);
    const bad = isFn
      ? type.getCallSignatures().some((s) => signatureHasAny(s, 0, new Set()))
      : containsAny(type, 0, new Set());
    if (bad) report(key, decl, "`any` in its inferred type");
  }

  // --- members ---------------------------------------------------------------------------------

  function checkMembers(ownerKey: string, owner: ts.Symbol): void {
    const decls = (owner.declarations ?? []).filter(
      (d): d is ts.ClassLikeDeclaration | ts.InterfaceDeclaration => ts.isClassLike(d) || ts.isInterfaceDeclaration(d),
    );
    // Members by name (statics apart); a getter/setter pair or an overload group is one member.
    const groups = new Map<string, ts.Declaration[]>();
    for (const od of decls) {
      const members: ts.Declaration[] = [...(od.members as ts.NodeArray<ts.ClassElement | ts.TypeElement>)];
      if (ts.isClassLike(od)) {
        for (const m of od.members) {
          if (ts.isConstructorDeclaration(m)) {
            for (const p of m.parameters) if (ts.isParameterPropertyDeclaration(p, m)) members.push(p);
          }
        }
      }
      for (const m of members) {
        if (anyOnlyKinds.has(m.kind) && !isNonPublic(m)) {
          // Constructors and call/construct/index signatures need no doc of their own, but their
          // types are public all the same.
          if (ts.isConstructorDeclaration(m) && checker.isImplementationOfOverload(m)) continue;
          const found: ts.Node[] = [];
          writtenAny(m, found);
          const label = ts.isConstructorDeclaration(m) ? "constructor" : "signature";
          for (const n of found) report(`${ownerKey} (${label})`, n, "`any` in its declared type");
          continue;
        }
        if (!memberKinds.has(m.kind)) continue;
        if (ts.isParameter(m) && !ts.isParameterPropertyDeclaration(m, m.parent)) continue;
        const nameNode = ts.getNameOfDeclaration(m);
        if (!nameNode) continue;
        const name = ts.isIdentifier(nameNode) || ts.isStringLiteral(nameNode) || ts.isNumericLiteral(nameNode)
          ? nameNode.text
          : nameNode.getText();
        const isStatic = (ts.getCombinedModifierFlags(m) & ts.ModifierFlags.Static) !== 0;
        const k = `${isStatic ? "static " : ""}${name}`;
        const g = groups.get(k) ?? [];
        g.push(m);
        groups.set(k, g);
      }
    }
    for (const [k, g] of groups) {
      if (g.some((d) => isNonPublic(d) || isInternal(d))) continue;
      const name = k.replace(/^static /, "");
      const key = `${ownerKey}.${name}`;
      symbols++;
      if (!g.some(hasDoc)) report(key, g[0]!, "no doc comment");
      const memberSym = checker.getSymbolAtLocation(ts.getNameOfDeclaration(g[0]!)!);
      if (memberSym) checkAny(key, memberSym);
    }
  }

  // --- exports ---------------------------------------------------------------------------------

  function checkExports(entry: string, prefix: string, moduleSym: ts.Symbol, visited: Set<ts.Symbol>): void {
    for (const exp of checker.getExportsOfModule(moduleSym)) {
      const key = `${entry} ${prefix}${exp.name}`;
      const target = exp.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exp) : exp;
      const decls = target.declarations ?? [];
      if (decls.some(ts.isSourceFile)) {
        // `export * as ns from "..."`: the doc sits on the export declaration; then walk the namespace.
        symbols++;
        const exportDecl = exp.declarations?.find((d) => ts.isNamespaceExport(d));
        const docHost = exportDecl?.parent;
        if (!docHost || !hasDoc(docHost)) report(key, exportDecl ?? decls[0]!, "no doc comment");
        if (!visited.has(target)) {
          visited.add(target);
          checkExports(entry, `${prefix}${exp.name}.`, target, visited);
        }
        continue;
      }
      symbols++;
      if (decls.length === 0) {
        report(key, exp.declarations?.[0] ?? moduleSym.declarations![0]!, "export does not resolve to a declaration");
        continue;
      }
      if (!symbolHasDoc(target)) report(key, decls[0]!, "no doc comment");
      checkAny(key, target);
      if (decls.some((d) => ts.isClassLike(d) || ts.isInterfaceDeclaration(d))) checkMembers(key, target);
    }
  }

  for (const [entry, file] of Object.entries(entries)) {
    const sf = program.getSourceFile(join(root, file));
    assert.ok(sf, `entry point ${file} is in the program`);
    const moduleSym = checker.getSymbolAtLocation(sf);
    assert.ok(moduleSym, `entry point ${file} is a module`);
    checkExports(entry, "", moduleSym, new Set());
  }
  return { problems, symbols };
}

test("every exported symbol and public member of every entry point has a doc comment and no `any`", () => {
  const { problems, symbols } = runCheck();
  // About 1,360 exports and members today: a walk that silently lost most of them would pass.
  assert.ok(symbols > 1000, `the walk found the public API (${symbols} symbols)`);
  const lines = problems
    .sort((a, b) => a.where.localeCompare(b.where, "en", { numeric: true }))
    .map((p) => `  ${p.key}  ${p.where}  ${p.what}`);
  assert.equal(lines.length, 0, `${problems.length} public API problem(s) (entry, symbol, file:line, problem):\n${lines.join("\n")}`);
});
