#!/usr/bin/env bash
# make release-check: everything about a release that can be checked before publishing,
# without publishing anything (docs/releasing.md is the procedure around it).
#
#   scripts/release-check.sh [--release] [--only SECTIONS] [--svn-stage DIR] [--root DIR]
#
#   --release        for the release itself: the work tree must be clean, CHANGELOG.md's
#                    entry dated, and no tag v<version> on another commit
#   --only LIST      some sections only, comma-separated, from:
#                    versions, urls, changelog, crate, msrv, npm, plugin
#   --svn-stage DIR  keep the wordpress.org SVN layout (trunk/, tags/<version>/, assets/)
#                    in DIR instead of a temporary directory
#   --root DIR       read versions, addresses and CHANGELOG.md from DIR instead of this
#                    repository (the tests run these sections on fixtures)
#
# Every check runs even after one failed; each prints one line (ok, FAIL or skip, with why),
# and the last line is "N passed, N failed". Exit 1 when any check failed.
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
root=$repo
release=0
only=versions,urls,changelog,crate,msrv,npm,plugin
svn_stage=
while [ $# -gt 0 ]; do
  case $1 in
    --release) release=1 ;;
    --only) only=$2; shift ;;
    --svn-stage) svn_stage=$2; shift ;;
    --root) root=$(cd "$2" && pwd); shift ;;
    -h | --help) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "release-check: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
cd "$root"

passed=0 failed=0 skipped=0
ok() { printf '  ok    %s\n' "$*"; passed=$((passed + 1)); }
fail() { printf '  FAIL  %s\n' "$*"; failed=$((failed + 1)); }
skip() { printf '  skip  %s\n' "$*"; skipped=$((skipped + 1)); }
detail() { sed 's/^/          /'; }
wanted() { [[ ",$only," == *",$1,"* ]]; }
section() { printf '\n%s\n' "$*"; }

# A field of a JSON file, by a JavaScript path (`.version`, `.packages.pkg.version`).
json() { node -e 'const v = (0, eval)("(o) => o" + process.argv[2])(require(process.argv[1])); if (v !== undefined) console.log(typeof v === "string" ? v : JSON.stringify(v))' "$(realpath "$1")" "$2" 2>/dev/null; }
# The [package] table's string field of Cargo.toml.
cargo_field() { awk -v key="$1" '/^\[package\]/ { p = 1; next } /^\[/ { p = 0 } p && $0 ~ "^" key " *=" { sub(/^[^=]*= *"/, ""); sub(/".*/, ""); print; exit }' Cargo.toml; }
plugin_main=wordpress-plugin/caspay-webhooks.php
plugin_readme=wordpress-plugin/readme.txt
header() { sed -n "s/^[ *]*$1: *//p" "$2" | tr -d '\r' | head -1 | sed 's/ *$//'; }

version=$(cargo_field version)
repository=$(cargo_field repository)
echo "release-check: caspay-webhooks ${version:-?} from $root$([ $release = 1 ] && echo ' (release)')"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ $release = 1 ]; then
  section "Work tree"
  if ! git rev-parse --git-dir >/dev/null 2>&1; then
    fail "$root is not a git checkout: release from one"
  elif [ -n "$(git status --porcelain)" ]; then
    fail "the work tree has uncommitted changes (git status): release from a clean checkout"
  else
    ok "clean work tree at $(git rev-parse --short HEAD)"
  fi
  tag_commit=$(git rev-parse -q --verify "refs/tags/v$version^{commit}" 2>/dev/null || true)
  if [ -n "$tag_commit" ] && [ "$tag_commit" != "$(git rev-parse HEAD)" ]; then
    fail "tag v$version already exists on another commit ($tag_commit): bump the version"
  else
    ok "tag v$version is free or on this commit"
  fi
fi

# One version for the crate, the npm package and the plugin.
if wanted versions; then
  section "Versions (one for the crate, the npm package and the plugin; Cargo.toml's is the reference)"
  if [[ ! $version =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
    fail "Cargo.toml version '${version}' is not MAJOR.MINOR.PATCH[-pre]"
  fi
  declare -A found=(
    ["Cargo.lock (caspay-webhooks)"]=$(awk '/^name = "caspay-webhooks"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock 2>/dev/null)
    ["pkg/package.json version"]=$(json pkg/package.json .version)
    ["package-lock.json packages.pkg"]=$(json package-lock.json '.packages.pkg.version')
    ["$plugin_main Version header"]=$(header Version "$plugin_main")
    ["$plugin_main CASPAY_WEBHOOKS_VERSION"]=$(sed -n "s/.*define( *'CASPAY_WEBHOOKS_VERSION', *'\([^']*\)'.*/\1/p" "$plugin_main" | head -1)
    ["$plugin_readme Stable tag"]=$(header 'Stable tag' "$plugin_readme")
  )
  fixes=(
    "Cargo.lock (caspay-webhooks)=cargo update --workspace"
    "package-lock.json packages.pkg=npm install --package-lock-only --no-audit --no-fund"
  )
  before=$failed
  for where in "${!found[@]}"; do
    have=${found[$where]}
    [ "$have" = "$version" ] && continue
    fix=; for f in "${fixes[@]}"; do [ "${f%%=*}" = "$where" ] && fix=" (then: ${f#*=})"; done
    fail "$where is '${have:-missing}', Cargo.toml says $version$fix"
  done
  grep -qE "^= ${version//./\\.} =" "$plugin_readme" \
    || fail "$plugin_readme has no '= $version =' entry under == Changelog =="
  [ "$failed" = "$before" ] \
    && ok "$version everywhere: Cargo.toml, Cargo.lock, pkg/package.json, package-lock.json, the plugin's Version header and CASPAY_WEBHOOKS_VERSION, readme.txt's Stable tag and changelog"
fi

# One repository address (Cargo.toml's), repeated where each registry and reader needs it.
if wanted urls; then
  section "Repository address ($repository, from Cargo.toml)"
  if [[ ! $repository =~ ^https://[^/]+/[^/]+/[^/]+$ ]]; then
    fail "Cargo.toml has no repository = \"https://host/owner/name\""
  else
    bad=()
    [ "$(json pkg/package.json .repository.url)" = "git+$repository.git" ] || bad+=("repository.url is '$(json pkg/package.json .repository.url)', expected git+$repository.git")
    [ "$(json pkg/package.json .repository.directory)" = pkg ] || bad+=("repository.directory is not \"pkg\"")
    [[ "$(json pkg/package.json .homepage)" == "$repository"* ]] || bad+=("homepage does not start with $repository")
    [ "$(json pkg/package.json .bugs.url)" = "$repository/issues" ] || bad+=("bugs.url is not $repository/issues")
    if [ ${#bad[@]} -eq 0 ]; then ok "pkg/package.json: repository, homepage and bugs point at it"; else
      for b in "${bad[@]}"; do fail "pkg/package.json $b"; done
    fi
    if grep -qF "$repository" README.md; then ok "README.md's install instructions name it"; else
      fail "README.md does not name $repository (its Installing section should)"
    fi
  fi
fi

# CHANGELOG.md, Keep a Changelog: an entry for this version, dated for the release.
if wanted changelog; then
  section "CHANGELOG.md"
  heading=$(grep -E "^## \[${version//./\\.}\]" CHANGELOG.md 2>/dev/null | head -1)
  if [ -z "$heading" ]; then
    fail "CHANGELOG.md has no '## [$version]' entry"
  elif [[ $heading =~ ^##\ \[[^]]+\]\ -\ [0-9]{4}-[0-9]{2}-[0-9]{2}$ ]]; then
    ok "$heading"
  elif [ $release = 1 ]; then
    fail "'$heading': date it (## [$version] - YYYY-MM-DD) before releasing"
  else
    ok "$heading (date it when releasing; --release requires the date)"
  fi
  if [ -n "$heading" ] && ! grep -qF "[$version]: $repository/" CHANGELOG.md; then
    fail "CHANGELOG.md has no link line '[$version]: $repository/…' for the entry"
  fi
fi

# The crate: its file list, the packaged crate building and passing its own tests, docs.rs.
package_dir=target/package/caspay-webhooks-$version
if wanted crate; then
  section "Rust crate (crates.io)"
  dirty=--allow-dirty; [ $release = 1 ] && dirty=
  expected=tests/release/crate-files.txt
  if cargo package --list --locked $dirty >"$tmp/crate-files.txt" 2>"$tmp/cargo-list.err"; then
    if diff -u "$expected" "$tmp/crate-files.txt" >"$tmp/crate.diff"; then
      ok "cargo package --list: the $(wc -l <"$expected") files of $expected"
    else
      fail "cargo package --list differs from $expected (+ shipped, not expected; - expected, not shipped): fix Cargo.toml's include, or the list if the change is meant"
      tail -n +3 "$tmp/crate.diff" | grep '^[+-]' | detail
    fi
  else
    fail "cargo package --list failed"; detail <"$tmp/cargo-list.err"
  fi
  # publish --dry-run packages, builds the packaged crate and stops before uploading; it
  # needs the registry's index, so without it `cargo package --offline` does the building.
  if cargo publish --dry-run --locked $dirty >"$tmp/publish.log" 2>&1; then
    ok "cargo publish --dry-run: $(grep -o 'Packaged .*' "$tmp/publish.log" | head -1), the packaged crate builds"
  else
    reason=$(grep -m1 -E '^(error|Caused by)' "$tmp/publish.log" || tail -1 "$tmp/publish.log")
    if cargo package --offline --locked $dirty >"$tmp/package.log" 2>&1; then
      skip "cargo publish --dry-run did not run ($reason)"
      ok "cargo package --offline: $(grep -o 'Packaged .*' "$tmp/package.log" | head -1), the packaged crate builds"
    else
      fail "cargo publish --dry-run and cargo package failed"; detail <"$tmp/package.log"
    fi
  fi
  crate_file=target/package/caspay-webhooks-$version.crate
  if [ -s "$crate_file" ]; then
    size=$(wc -c <"$crate_file")
    if [ "$size" -lt 10485760 ]; then ok "$crate_file: $size bytes (crates.io takes up to 10 MiB)"; else
      fail "$crate_file is $size bytes, over crates.io's 10 MiB"
    fi
  fi
  if [ -f "$package_dir/Cargo.toml" ]; then
    if cargo test --locked --quiet --manifest-path "$package_dir/Cargo.toml" --target-dir target/release-check \
      >"$tmp/test.log" 2>&1; then
      tests=$(awk '/^test result:/ { n += $4 } END { print n + 0 }' "$tmp/test.log")
      ok "cargo test on the packaged crate: $tests tests passed (the core's tests and the shared vectors, as shipped)"
    else
      fail "cargo test on the packaged crate ($package_dir) failed"; grep -E 'panicked|error|FAILED|failures' "$tmp/test.log" | head -20 | detail
    fi
    # docs.rs builds with [package.metadata.docs.rs]'s features; each must exist.
    features=$(cargo metadata --no-deps --format-version 1 --manifest-path "$package_dir/Cargo.toml" 2>/dev/null \
      | node -e 'const m = JSON.parse(require("fs").readFileSync(0, "utf8")).packages[0]; const d = ((m.metadata || {}).docs || {}).rs || {}; const f = d.features || []; const missing = f.filter((x) => !(x in m.features)); console.log(missing.length ? "MISSING " + missing.join(",") : f.join(","))')
    if [[ $features == MISSING* ]]; then
      fail "[package.metadata.docs.rs] names features the crate lacks: ${features#MISSING }"
    elif RUSTDOCFLAGS="-D warnings" cargo doc --locked --quiet --no-deps --lib --no-default-features --features "$features" \
      --manifest-path "$package_dir/Cargo.toml" --target-dir target/release-check >"$tmp/doc.log" 2>&1; then
      ok "cargo doc of the packaged crate with docs.rs's features ($features), no warnings"
    else
      fail "cargo doc with docs.rs's features ($features) failed"; head -20 "$tmp/doc.log" | detail
    fi
  else
    fail "no packaged crate in $package_dir to test"
  fi
fi

# rust-version: the packaged library checked with exactly that toolchain.
if wanted msrv; then
  msrv=$(cargo_field rust-version)
  section "rust-version $msrv"
  if [ ! -f "$package_dir/Cargo.toml" ]; then
    cargo package --offline --locked --no-verify --allow-dirty >/dev/null 2>&1 || cargo package --locked --no-verify --allow-dirty >/dev/null 2>&1
  fi
  toolchain=$msrv; [[ $toolchain =~ ^[0-9]+\.[0-9]+$ ]] && toolchain=$msrv.0
  if ! rustup run "$toolchain" rustc --version >/dev/null 2>&1; then
    timeout 600 rustup toolchain install "$toolchain" --profile minimal >"$tmp/rustup.log" 2>&1 || true
  fi
  if ! rustup run "$toolchain" rustc --version >/dev/null 2>&1; then
    skip "Rust $toolchain could not be installed ($(tail -1 "$tmp/rustup.log" 2>/dev/null)): rust-version not checked"
  else
    for flags in "" "--no-default-features"; do
      if cargo "+$toolchain" check --locked --quiet --lib $flags --manifest-path "$package_dir/Cargo.toml" \
        --target-dir target/release-check/msrv >"$tmp/msrv.log" 2>&1; then
        ok "cargo +$toolchain check --lib ${flags:-(default features)}"
      else
        fail "the library does not build with Rust $toolchain ${flags}: raise rust-version or avoid the newer feature"
        grep -E '^error' -A5 "$tmp/msrv.log" | head -20 | detail
      fi
    done
  fi
fi

# The npm package: what `npm pack` ships, `npm publish --dry-run`, and the tarball installed
# and loaded the way pkg/README.md says (import and require).
if wanted npm; then
  section "npm package (npm registry)"
  if ! "$repo/scripts/build-pkg.sh" >"$tmp/build-pkg.log" 2>&1; then
    fail "scripts/build-pkg.sh failed: nothing to pack"; tail -20 "$tmp/build-pkg.log" | detail
  else
    missing_meta=()
    for field in name version description license repository homepage bugs keywords engines.node author; do
      [ -n "$(json pkg/package.json ".${field}")" ] || missing_meta+=("$field")
    done
    if [ ${#missing_meta[@]} -eq 0 ]; then ok "pkg/package.json has its registry metadata (engines.node $(json pkg/package.json .engines.node))"; else
      fail "pkg/package.json lacks: ${missing_meta[*]}"
    fi
    if (cd pkg && npm pack --dry-run --json --ignore-scripts) >"$tmp/pack.json" 2>"$tmp/pack.err"; then
      # Every file that main, types and the exports map name must be in the tarball; no
      # test, map, tarball, dotfile or build-only source may be.
      node - "$tmp/pack.json" "$(realpath pkg/package.json)" >"$tmp/pack.check" <<'EOF'
const fs = require('fs');
const [{ files, size, unpackedSize }] = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const manifest = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
const paths = new Set(files.map((f) => f.path));
const named = new Set();
const walk = (value) => {
  if (typeof value === 'string') { if (value.startsWith('./') && !value.includes('*')) named.add(value.slice(2)); }
  else if (value && typeof value === 'object') Object.values(value).forEach(walk);
};
walk([manifest.main, manifest.module, manifest.types, manifest.exports]);
const problems = [];
for (const file of ['package.json', 'README.md', 'LICENSE', ...named]) if (!paths.has(file)) problems.push(`missing: ${file}`);
for (const file of paths) {
  if (/(^|\/)(tests?|__tests__|node_modules)\/|(^|\/)\.|\.(map|tgz|log)$|(^|\/)node-cjs\.js$/.test(file)) problems.push(`should not ship: ${file}`);
}
console.log(problems.length ? problems.join('\n') : `${paths.size} files (${named.size} named by main, types and exports), ${size} bytes packed, ${unpackedSize} unpacked`);
process.exit(problems.length ? 1 : 0);
EOF
      if [ $? -eq 0 ]; then ok "npm pack: $(cat "$tmp/pack.check")"; else
        fail "npm pack contents"; detail <"$tmp/pack.check"
      fi
    else
      fail "npm pack --dry-run failed"; detail <"$tmp/pack.err"
    fi
    if cmp -s LICENSE pkg/LICENSE; then ok "pkg/LICENSE is the repository's LICENSE"; else fail "pkg/LICENSE differs from LICENSE (scripts/build-pkg.sh copies it)"; fi
    if (cd pkg && npm publish --dry-run --ignore-scripts) >"$tmp/publish.out" 2>"$tmp/publish.err"; then
      if grep -qi 'auto-corrected\|npm warn publish.*invalid' "$tmp/publish.err"; then
        fail "npm publish --dry-run: npm would change package.json"; grep -i 'warn' "$tmp/publish.err" | detail
      else
        ok "npm publish --dry-run: $(grep -m1 -o 'Publishing to .*' "$tmp/publish.err")"
      fi
    else
      fail "npm publish --dry-run failed"; tail -10 "$tmp/publish.err" | detail
    fi
    # The README's install path: pack, install the tarball into an empty project, load it.
    mkdir -p "$tmp/app"
    if tarball=$(cd pkg && npm pack --ignore-scripts --silent --pack-destination "$tmp") \
      && (cd "$tmp/app" && echo '{"name":"release-check-app","private":true}' >package.json \
        && npm install --offline --no-audit --no-fund --silent "../$tarball") >"$tmp/install.log" 2>&1; then
      script='const body = `{"id":"evt_1","type":"payment.completed","created":1640000000,"data":{"payment":{"id":"pay_1","amount":100000000000,"currency":"CSPR"}}}`;
        const secret = "whsec_0123456789abcdefABCDEF0123456789";
        const signature = m.sign(body, secret);
        if (!m.verifyWebhook(body, signature, secret) || m.verifyWebhook(body + " ", signature, secret)) throw new Error("verify");
        const event = m.constructEvent(body, signature, secret);
        if (event.idempotencyKey !== "evt_1") throw new Error("constructEvent: " + JSON.stringify(event));'
      load() { # node binary: import and require the installed package, sign, verify, parse
        (cd "$tmp/app" && "$1" --input-type=module -e "import * as m from 'caspay-webhooks'; $script" \
          && "$1" -e "const m = require('caspay-webhooks'); $script") >"$tmp/load.log" 2>&1
      }
      if load node; then
        ok "npm install ./$tarball into an empty project: import and require sign, verify and parse (Node $(node --version))"
      else
        fail "the installed tarball does not load"; tail -10 "$tmp/load.log" | detail
      fi
      # engines.node's lowest major, from the npm registry's node@<major> (kept in target/).
      oldest=$(json pkg/package.json .engines.node | sed -n 's/^>= *\([0-9][0-9]*\).*/\1/p')
      if [ -n "$oldest" ]; then
        prefix=$repo/target/release-check/node$oldest
        [ -x "$prefix/node_modules/node/bin/node" ] \
          || timeout 300 npm install --prefix "$prefix" --no-audit --no-fund --silent "node@$oldest" >"$tmp/node-oldest.log" 2>&1
        if ! "$prefix/node_modules/node/bin/node" --version >/dev/null 2>&1; then
          skip "Node $oldest (engines.node) could not be installed from the npm registry: not tried"
        elif load "$prefix/node_modules/node/bin/node"; then
          ok "the same on Node $("$prefix/node_modules/node/bin/node" --version), engines.node's lowest ($(json pkg/package.json .engines.node))"
        else
          fail "the installed tarball does not load on Node $oldest, which engines.node ($(json pkg/package.json .engines.node)) promises"; tail -10 "$tmp/load.log" | detail
        fi
      fi
    else
      fail "npm pack + npm install of the tarball failed"; tail -10 "$tmp/install.log" | detail
    fi
  fi
fi

# The WordPress plugin: the zip (built and checked by scripts/plugin-zip.sh) laid out as
# wordpress.org expects, and the SVN layout staged from it.
if wanted plugin; then
  section "WordPress plugin (wordpress.org)"
  "$repo/scripts/ensure-apt.sh" php8.2-cli zip unzip >/dev/null
  zip=artifacts/caspay-webhooks.zip
  if ! "$repo/scripts/plugin-zip.sh" >"$tmp/zip.log" 2>&1; then
    fail "scripts/plugin-zip.sh failed"; tail -10 "$tmp/zip.log" | detail
  else
    ok "scripts/plugin-zip.sh: $(tail -1 "$tmp/zip.log")"
    slug=$(basename "$plugin_main" .php)
    listing=$(unzip -Z1 "$zip")
    tops=$(cut -d/ -f1 <<<"$listing" | sort -u | tr '\n' ' ')
    if [ "$tops" = "$slug " ]; then ok "one top-level folder, $slug/, named as the plugin's slug"; else
      fail "top-level entries '$tops', expected only $slug/"
    fi
    rm -rf "$tmp/zip" && mkdir -p "$tmp/zip" && unzip -q "$zip" -d "$tmp/zip"
    main=$tmp/zip/$slug/$slug.php readme=$tmp/zip/$slug/readme.txt
    problems=()
    [ -f "$main" ] && grep -q '^ \* Plugin Name:' "$main" || problems+=("no $slug/$slug.php with a Plugin Name header")
    [ -f "$readme" ] || problems+=("no $slug/readme.txt")
    [ "$(header 'Text Domain' "$main")" = "$slug" ] || problems+=("Text Domain is '$(header 'Text Domain' "$main")', not the slug $slug")
    [ "$(header Version "$main")" = "$version" ] || problems+=("Version header is '$(header Version "$main")', not $version")
    [ "$(header 'Stable tag' "$readme")" = "$version" ] || problems+=("readme.txt Stable tag is '$(header 'Stable tag' "$readme")', not $version")
    for field in 'Requires at least' 'Requires PHP'; do
      [ "$(header "$field" "$main")" = "$(header "$field" "$readme")" ] || problems+=("$field differs between the main file and readme.txt")
    done
    dev=$(grep -E '(^|/)(tests?|node_modules|vendor/bin)/|(^|/)\.[^/]|phpunit|\.(cwasm|map|log|tgz|zip)$|(^|/)(Makefile|package(-lock)?\.json|composer\.lock)$' <<<"$listing")
    [ -z "$dev" ] || problems+=("development files: $(tr '\n' ' ' <<<"$dev")")
    if [ ${#problems[@]} -eq 0 ]; then ok "$slug.php (Plugin Name, Version $version, Text Domain $slug), readme.txt (Stable tag $version), no tests or dev files"; else
      for p in "${problems[@]}"; do fail "zip: $p"; done
    fi
    # Compiled code on wordpress.org needs its human-readable source and build tools to be
    # reachable: the readme must link the repository and say how the module is built.
    wasm=$(grep -E '\.wasm$' <<<"$listing" | paste -sd' ')
    if [ -z "$wasm" ]; then fail "zip: no .wasm module"
    elif grep -qF "$repository" "$readme" && grep -q 'scripts/build-wasm.sh' "$readme"; then
      ok "$wasm with its source pointer: readme.txt links $repository and names scripts/build-wasm.sh"
    else
      fail "zip: readme.txt's source pointer for $wasm lacks $(grep -qF "$repository" "$readme" || printf 'the repository address %s ' "$repository")$(grep -q 'scripts/build-wasm.sh' "$readme" || printf 'the build script')(wordpress.org guideline 4: a link to the source of compiled code)"
    fi
    # The SVN layout: trunk/ is the plugin folder's contents, tags/<version>/ a copy of it,
    # assets/ the directory's icons, banners and screenshots (outside the plugin).
    stage=${svn_stage:-$tmp/svn}
    rm -rf "$stage" && mkdir -p "$stage/trunk" "$stage/tags" "$stage/assets"
    cp -a "$tmp/zip/$slug/." "$stage/trunk/" && cp -a "$stage/trunk" "$stage/tags/$version"
    svn_problems=()
    [ -f "$stage/trunk/$slug.php" ] || svn_problems+=("trunk/$slug.php missing (a nested folder?)")
    [ "$(header 'Stable tag' "$stage/tags/$version/readme.txt")" = "$version" ] || svn_problems+=("tags/$version/readme.txt Stable tag is not $version")
    if grep -q '^== Screenshots ==' "$stage/trunk/readme.txt"; then
      svn_problems+=("readme.txt has a Screenshots section but assets/ has no screenshot-N.png")
    fi
    if [ ${#svn_problems[@]} -eq 0 ]; then
      ok "SVN layout staged in ${svn_stage:-a temporary directory}: trunk/ ($(find "$stage/trunk" -type f | wc -l) files), tags/$version/ (the same), assets/ (empty: no icon, banner or screenshots yet)"
    else
      for p in "${svn_problems[@]}"; do fail "SVN layout: $p"; done
    fi
  fi
fi

echo
[ "$skipped" -gt 0 ] && echo "release-check: $skipped skipped (see the skip lines)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
