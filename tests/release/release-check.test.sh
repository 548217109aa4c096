#!/usr/bin/env bash
# scripts/release-check.sh's offline sections (versions, repository address, CHANGELOG.md,
# the --release gate) on a small fixture repository: in sync it passes; each way of being
# out of sync is one FAIL line naming the file, and exit 1.
set -uo pipefail
cd "$(dirname "$0")/../.."
check=$PWD/scripts/release-check.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
url=https://example.org/owner/project

fixture() { # dir version: every place that holds the version, in sync
  local d=$1 v=$2
  mkdir -p "$d/pkg" "$d/wordpress-plugin"
  printf '[package]\nname = "caspay-webhooks"\nversion = "%s"\nrepository = "%s"\n\n[dependencies]\nversion_check = { version = "1" }\n' "$v" "$url" >"$d/Cargo.toml"
  printf '[[package]]\nname = "caspay-webhooks"\nversion = "%s"\n' "$v" >"$d/Cargo.lock"
  cat >"$d/pkg/package.json" <<EOF
{ "name": "caspay-webhooks", "version": "$v",
  "repository": { "type": "git", "url": "git+$url.git", "directory": "pkg" },
  "homepage": "$url/tree/main/pkg#readme", "bugs": { "url": "$url/issues" } }
EOF
  printf '{ "packages": { "pkg": { "version": "%s" } } }\n' "$v" >"$d/package-lock.json"
  printf "<?php\n/**\n * Plugin Name:       CasPay Webhooks\n * Version:           %s\n */\ndefine( 'CASPAY_WEBHOOKS_VERSION', '%s' );\n" "$v" "$v" >"$d/wordpress-plugin/caspay-webhooks.php"
  printf '=== CasPay Webhooks ===\nStable tag: %s\n\n== Changelog ==\n\n= %s =\n* First.\n' "$v" "$v" >"$d/wordpress-plugin/readme.txt"
  printf '# Changelog\n\n## [%s] - Unreleased\n\n### Added\n- Everything.\n\n[%s]: %s/releases/tag/v%s\n' "$v" "$v" "$url" "$v" >"$d/CHANGELOG.md"
  printf '# project\n\n    cargo add caspay-webhooks --git %s\n' "$url" >"$d/README.md"
  (cd "$d" && git init -q && git add -A && git -c user.name=t -c user.email=t@t commit -qm fixture)
}

# expect NAME EXIT [PATTERN...] -- args: every PATTERN matches a line; FAIL lines match one of them.
expect() {
  local name=$1 want_exit=$2; shift 2
  local patterns=()
  while [ "$1" != -- ]; do patterns+=("$1"); shift; done; shift
  local out status problems=()
  out=$("$check" "$@" 2>&1); status=$?
  [ "$status" = "$want_exit" ] || problems+=("exit $status, want $want_exit")
  for p in "${patterns[@]}"; do grep -qE -- "$p" <<<"$out" || problems+=("no line matches: $p"); done
  while IFS= read -r line; do
    local known=0
    for p in "${patterns[@]}"; do grep -qE -- "$p" <<<"$line" && known=1; done
    [ $known = 1 ] || problems+=("unexpected: $line")
  done < <(grep '^  FAIL' <<<"$out")
  if [ ${#problems[@]} -eq 0 ]; then echo "ok - $name"; passed=$((passed + 1)); else
    echo "not ok - $name"; printf '    %s\n' "${problems[@]}"; sed 's/^/    | /' <<<"$out"; failed=$((failed + 1))
  fi
}
offline=(--only versions,urls,changelog)

fixture "$work/good" 1.2.3
expect "in sync: every offline check passes" 0 '^  ok    1\.2\.3 everywhere' '^  ok    pkg/package.json: repository, homepage and bugs' \
  '^  ok    ## \[1\.2\.3\] - Unreleased' '^0 failed|^[0-9]+ passed, 0 failed$' -- "${offline[@]}" --root "$work/good"

fixture "$work/plugin" 1.2.3
sed -i 's/^Stable tag: .*/Stable tag: 1.3.0/' "$work/plugin/wordpress-plugin/readme.txt"
sed -i "s/'CASPAY_WEBHOOKS_VERSION', '1.2.3'/'CASPAY_WEBHOOKS_VERSION', '1.3.0'/" "$work/plugin/wordpress-plugin/caspay-webhooks.php"
expect "plugin ahead: readme.txt's Stable tag and the constant are named" 1 \
  "^  FAIL  wordpress-plugin/readme.txt Stable tag is '1\.3\.0', Cargo.toml says 1\.2\.3$" \
  "^  FAIL  wordpress-plugin/caspay-webhooks.php CASPAY_WEBHOOKS_VERSION is '1\.3\.0'" '^[0-9]+ passed, 2 failed$' -- "${offline[@]}" --root "$work/plugin"

fixture "$work/locks" 1.2.3
sed -i 's/^version = "1.2.3"/version = "1.2.2"/' "$work/locks/Cargo.lock"
sed -i 's/"version": "1.2.3"/"version": "1.2.2"/' "$work/locks/package-lock.json"
expect "lock files behind: each with the command that updates it" 1 \
  "Cargo.lock \(caspay-webhooks\) is '1\.2\.2'.*then: cargo update --workspace" \
  "package-lock.json packages.pkg is '1\.2\.2'.*then: npm install --package-lock-only" -- --only versions --root "$work/locks"

fixture "$work/nochangelog" 1.2.3
sed -i 's/^= 1.2.3 =/= 1.2.2 =/' "$work/nochangelog/wordpress-plugin/readme.txt"
sed -i 's/^## \[1.2.3\]/## [1.2.2]/' "$work/nochangelog/CHANGELOG.md"
expect "no changelog entries for the version" 1 "readme.txt has no '= 1\.2\.3 =' entry" \
  "CHANGELOG.md has no '## \[1\.2\.3\]' entry" -- "${offline[@]}" --root "$work/nochangelog"

fixture "$work/url" 1.2.3
sed -i 's#git+https://example.org/owner/project.git#git+https://example.org/someone/else.git#' "$work/url/pkg/package.json"
sed -i 's#cargo add .*#cargo add caspay-webhooks#' "$work/url/README.md"
expect "repository address disagreeing with Cargo.toml" 1 "pkg/package.json repository.url is 'git\+https://example.org/someone/else.git'" \
  "README.md does not name https://example.org/owner/project" -- --only urls --root "$work/url"

fixture "$work/link" 1.2.3
sed -i 's#^\[1.2.3\]: .*#[1.2.3]: https://example.org/elsewhere/releases/tag/v1.2.3#' "$work/link/CHANGELOG.md"
expect "CHANGELOG link line to another address" 1 "CHANGELOG.md has no link line '\[1\.2\.3\]: https://example.org/owner/project/" \
  -- --only changelog --root "$work/link"

expect "--release: an undated CHANGELOG entry fails" 1 "'## \[1\.2\.3\] - Unreleased': date it" '^  ok    clean work tree' '^  ok    tag v1\.2\.3' \
  -- --only changelog --release --root "$work/good"
sed -i 's/^## \[1.2.3\] - Unreleased/## [1.2.3] - 2027-01-15/' "$work/good/CHANGELOG.md"
expect "--release: a dirty work tree fails" 1 'uncommitted changes' '^  ok    ## \[1\.2\.3\] - 2027-01-15$' '^  ok    tag v1\.2\.3' \
  -- --only changelog --release --root "$work/good"
(cd "$work/good" && git -c user.name=t -c user.email=t@t commit -qam date && git tag v1.2.3 HEAD~1)
expect "--release: a tag of this version on another commit fails" 1 '^  ok    clean work tree' 'tag v1\.2\.3 already exists on another commit' \
  '^  ok    ## \[1\.2\.3\] - 2027-01-15$' -- --only changelog --release --root "$work/good"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
