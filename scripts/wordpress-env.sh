# Sourced (not run) by scripts/test-wordpress.sh and bench/php/run.sh: a private MariaDB
# and a real WordPress (Debian's package) with the plugin installed from
# artifacts/caspay-webhooks.zip, everything under one temporary directory, bound to
# 127.0.0.1. One copy of the setup, so the end-to-end test and the benchmark measure the
# same site.
#
# The caller sets: root (the repository), tmp (its private directory), pids (an array:
# started processes are appended for the caller's cleanup) and
# CASPAY_WEBHOOKS_WASMTIME_LIB; it calls wp_env_stop_mariadb from its exit trap.

# The endpoint secret the site is installed with (the benchmark signs deliveries with it
# before the site exists).
wp_env_secret="whsec_E2eTestSecretE2eTestSecret0123"

free_port() { php -r '$s = stream_socket_server("tcp://127.0.0.1:0"); echo explode(":", stream_socket_get_name($s, false))[1];'; }

# The command-line helper that runs inside the test WordPress (tests/e2e/e2e-helper.php).
helper() { php -d ffi.enable=1 "$root/wordpress-plugin/tests/e2e/e2e-helper.php" "$@"; }

# readme.txt's route for hosts that keep ffi.enable=preload (php-fpm's default): a copy of
# the plugin's header with FFI_LIB naming the library, given to ffi.preload, and the
# plugin's preload.php to opcache.preload. Arguments: that preload.php; sets the array
# wp_env_preload_flags to the php -d flags.
wp_env_preload_route() {
  sed "s|^#define FFI_LIB .*|#define FFI_LIB \"$CASPAY_WEBHOOKS_WASMTIME_LIB\"|" \
    "$root/wordpress-plugin/includes/wasmtime-ffi.h" >"$tmp/wasmtime-ffi.h"
  wp_env_preload_flags=(-d ffi.enable=preload -d opcache.enable=1 -d ffi.preload="$tmp/wasmtime-ffi.h"
    -d opcache.preload="$1" -d opcache.preload_user="$(id -un)")
}

# Starts MariaDB on a free port with an empty `wordpress` database; sets db_port.
wp_env_start_mariadb() {
  db_port=$(free_port)
  mariadb-install-db --no-defaults --datadir="$tmp/db" --user="$(id -un)" \
    --auth-root-authentication-method=normal --skip-test-db >"$tmp/mariadb-install.log" 2>&1
  mariadbd --no-defaults --datadir="$tmp/db" --user="$(id -un)" --bind-address=127.0.0.1 \
    --port="$db_port" --socket="$tmp/mysqld.sock" --pid-file="$tmp/mysqld.pid" \
    --skip-name-resolve --log-error="$tmp/mariadb.log" &
  pids+=($!)
  for _ in $(seq 100); do
    mariadb --no-defaults -S "$tmp/mysqld.sock" -u root -e 'SELECT 1' >/dev/null 2>&1 && break
    sleep 0.2
  done
  mariadb --no-defaults -S "$tmp/mysqld.sock" -u root -e "
    CREATE DATABASE wordpress CHARACTER SET utf8mb4;
    CREATE USER 'wp'@'127.0.0.1' IDENTIFIED BY 'wp-e2e';
    GRANT ALL ON wordpress.* TO 'wp'@'127.0.0.1';" \
    || { echo "FAIL: MariaDB did not start" >&2; exit 1; }
  echo "MariaDB on 127.0.0.1:$db_port"
}

# Asks MariaDB to stop and waits until it has (it removes its pid file when done).
wp_env_stop_mariadb() {
  if [ -s "$tmp/mysqld.pid" ]; then kill "$(cat "$tmp/mysqld.pid")" 2>/dev/null || true; fi
  for _ in $(seq 50); do [ -e "$tmp/mysqld.pid" ] || break; sleep 0.1; done
}

# Copies WordPress to $tmp/wordpress, unpacks the plugin zip, writes wp-config.php,
# installs the site and activates the plugin (secret set, 64 KiB body limit). Arguments:
# must-use plugin files to copy into wp-content/mu-plugins/ (the test's listeners).
# Sets docroot, wp_version, wp_port, url, secret and endpoint; exports CASPAY_E2E_URL,
# CASPAY_E2E_DOCROOT and CASPAY_E2E_SECRET for the helper. wp-config.php reads
# CASPAY_E2E_ENGINE (the engine constant) and CASPAY_E2E_CONST_SECRET from the
# environment of the server that runs it, CASPAY_E2E_NETWORK (a multisite network on
# tables of its own) from the helper's.
wp_env_install_wordpress() {
  docroot=$tmp/wordpress
  cp -rL /usr/share/wordpress "$docroot" 2>/dev/null || cp -r /usr/share/wordpress "$docroot"
  rm -f "$docroot/.htaccess"
  rm -rf "$docroot/wp-content/cache"
  mkdir -p "$docroot/wp-content/plugins" "$docroot/wp-content/mu-plugins"
  unzip -q "$root/artifacts/caspay-webhooks.zip" -d "$docroot/wp-content/plugins"
  local mu
  for mu in "$@"; do cp "$mu" "$docroot/wp-content/mu-plugins/"; done
  cp "$root/wordpress-plugin/tests/e2e/router.php" "$tmp/router.php"
  wp_version=$(php -r 'include $argv[1]; echo $wp_version;' "$docroot/wp-includes/version.php")

  wp_port=$(free_port)
  url="http://127.0.0.1:$wp_port"
  secret=$wp_env_secret
  cat > "$docroot/wp-config.php" <<PHP
<?php
define( 'DB_NAME', 'wordpress' );
define( 'DB_USER', 'wp' );
define( 'DB_PASSWORD', 'wp-e2e' );
define( 'DB_HOST', '127.0.0.1:$db_port' );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
\$table_prefix = 'wp_';
// test-wordpress.sh's multisite scenario runs the helper with CASPAY_E2E_NETWORK set: a
// network on tables of its own (net_) beside the single site's, "single" while the helper
// installs its main site and network tables, "multisite" from then on. It is not served:
// its sites are http://127.0.0.1/PATH/ (WordPress drops a port from a site's domain).
if ( getenv( 'CASPAY_E2E_NETWORK' ) ) {
	\$table_prefix = 'net_';
}
if ( 'multisite' === getenv( 'CASPAY_E2E_NETWORK' ) ) {
	define( 'WP_ALLOW_MULTISITE', true );
	define( 'MULTISITE', true );
	define( 'SUBDOMAIN_INSTALL', false );
	define( 'DOMAIN_CURRENT_SITE', '127.0.0.1' );
	define( 'PATH_CURRENT_SITE', '/' );
	define( 'SITE_ID_CURRENT_SITE', 1 );
	define( 'BLOG_ID_CURRENT_SITE', 1 );
}
define( 'AUTH_KEY', '$(head -c 24 /dev/urandom | base64)' );
define( 'SECURE_AUTH_KEY', '$(head -c 24 /dev/urandom | base64)' );
define( 'LOGGED_IN_KEY', '$(head -c 24 /dev/urandom | base64)' );
define( 'NONCE_KEY', '$(head -c 24 /dev/urandom | base64)' );
define( 'AUTH_SALT', '$(head -c 24 /dev/urandom | base64)' );
define( 'LOGGED_IN_SALT', '$(head -c 24 /dev/urandom | base64)' );
define( 'NONCE_SALT', '$(head -c 24 /dev/urandom | base64)' );
define( 'WP_DEBUG', true );
define( 'WP_DEBUG_DISPLAY', false );
define( 'WP_DEBUG_LOG', '$tmp/wp-debug.log' );
define( 'DISABLE_WP_CRON', true );
define( 'AUTOMATIC_UPDATER_DISABLED', true );
define( 'WP_HTTP_BLOCK_EXTERNAL', true );
define( 'CASPAY_WEBHOOKS_WASMTIME_LIB', '$CASPAY_WEBHOOKS_WASMTIME_LIB' );
if ( getenv( 'CASPAY_E2E_ENGINE' ) ) {
	define( 'CASPAY_WEBHOOKS_ENGINE', getenv( 'CASPAY_E2E_ENGINE' ) );
}
if ( getenv( 'CASPAY_E2E_CONST_SECRET' ) ) {
	define( 'CASPAY_WEBHOOKS_SECRET', getenv( 'CASPAY_E2E_SECRET' ) );
}
if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}
require_once ABSPATH . 'wp-settings.php';
PHP

  export CASPAY_E2E_URL=$url CASPAY_E2E_DOCROOT=$docroot CASPAY_E2E_SECRET=$secret
  endpoint=$(helper install "$url" caspay-webhooks/caspay-webhooks.php)
  [ "$endpoint" = "$url/wp-json/caspay/v1/webhook" ] || { echo "FAIL: unexpected endpoint URL $endpoint" >&2; exit 1; }
  echo "WordPress $wp_version installed, plugin active; endpoint $endpoint"
}
