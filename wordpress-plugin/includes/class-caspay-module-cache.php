<?php
/**
 * A directory for compiled WebAssembly modules that only this user can write.
 *
 * @package CasPay_Webhooks
 */

defined( 'ABSPATH' ) || defined( 'CASPAY_WEBHOOKS_LIBRARY' ) || exit;

/**
 * Holds Wasmtime's serialized (natively compiled) modules between PHP processes.
 *
 * Loading a serialized module runs its machine code, so a file anyone else could have
 * written is as dangerous as a PHP file they could have written. The directory is
 * created 0700 and used only while it is a real directory (not a symlink) owned by the
 * effective user and writable by nobody else; each file is checked the same way before
 * it is loaded. When any check fails the cache is off and the module is compiled in
 * memory instead, in every request: never unsafe, but a hundred milliseconds or more
 * where loading it takes about one (bench/php measures both; the settings screen says
 * so, with this server's figure).
 *
 * Each plugin update, Wasmtime library and engine configuration has its own file, so
 * whenever a new one is saved, the files of ours that nobody has used (read or written)
 * for UNUSED_SECONDS are deleted: the directory does not grow with every update. One still
 * in use elsewhere (another site, or another configuration on this server) that is deleted
 * all the same is compiled and saved again by its next request.
 */
final class CasPay_Module_Cache {

	/** How long a cached module may go unused before saving another deletes it (30 days). */
	const UNUSED_SECONDS = 2592000;

	/**
	 * The verified directory, or null when caching is off.
	 *
	 * @var string|null
	 */
	private $dir;

	/**
	 * Why caching is off, for the settings screen.
	 *
	 * @var string
	 */
	private $problem = '';

	/**
	 * Prepares (creates if needed, then verifies) the directory.
	 *
	 * @param string|null $dir        Directory, null for sys_get_temp_dir()/caspay-webhooks-<uid>.
	 * @param bool        $index_file Whether to drop an index.php (for directories under the web root).
	 */
	public function __construct( $dir = null, $index_file = false ) {
		$uid = self::effective_uid();
		if ( null === $uid ) {
			$this->problem = 'the posix extension is missing, so ownership cannot be verified';
			return;
		}
		if ( null === $dir ) {
			$dir = rtrim( sys_get_temp_dir(), '/' ) . '/caspay-webhooks-' . $uid;
		}
		if ( ! file_exists( $dir ) && ! is_link( $dir ) ) {
			// Parents made here are shared (wp-content/cache serves caching plugins' files to
			// the web server): the usual mode, as wp_mkdir_p() gives. Only the last is private.
			// Another process may create them at the same moment; verification below decides.
			$parent = dirname( $dir );
			if ( ! is_dir( $parent ) ) {
				@mkdir( $parent, 0755, true ); // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged
			}
			@mkdir( $dir, 0700 ); // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged
		}
		$problem = self::untrusted( $dir, $uid, true );
		if ( null !== $problem && is_dir( $dir ) && ! is_link( $dir ) && fileowner( $dir ) === $uid ) {
			// Our own directory, only too open (an earlier umask, a hand-made mkdir): tighten it.
			@chmod( $dir, 0700 ); // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged
			$problem = self::untrusted( $dir, $uid, true );
		}
		if ( null !== $problem ) {
			$this->problem = $dir . ': ' . $problem;
			return;
		}
		if ( $index_file && ! file_exists( $dir . '/index.php' ) ) {
			@file_put_contents( $dir . '/index.php', "<?php\n// Silence is golden.\n" ); // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged
		}
		$this->dir = $dir;
	}

	/**
	 * The verified directory, or null.
	 *
	 * @return string|null
	 */
	public function dir() {
		return $this->dir;
	}

	/**
	 * Why caching is off ('' when it is on).
	 *
	 * @return string
	 */
	public function problem() {
		return $this->problem;
	}

	/**
	 * The path of a cached module for a key (module hash + Wasmtime version + engine
	 * configuration), or null when caching is off.
	 *
	 * @param string $key The full cache key.
	 * @return string|null
	 */
	public function path( $key ) {
		return null === $this->dir ? null : $this->dir . '/module-' . hash( 'sha256', $key ) . '.cwasm';
	}

	/**
	 * Whether a cached file may be loaded: a regular file of ours that nobody else can write.
	 *
	 * @param string $path A value of path().
	 * @return bool
	 */
	public function trusted_file( $path ) {
		$uid = self::effective_uid();
		return null !== $uid && null === self::untrusted( $path, $uid, false );
	}

	/**
	 * Stores bytes atomically (write a private temporary file, then rename over the target),
	 * so a concurrent reader sees the old file or the complete new one.
	 *
	 * @param string $path  A value of path().
	 * @param string $bytes The serialized module.
	 * @return bool
	 */
	public function store( $path, $bytes ) {
		if ( null === $this->dir ) {
			return false;
		}
		$temporary = tempnam( $this->dir, 'tmp-' );
		if ( false === $temporary ) {
			return false;
		}
		chmod( $temporary, 0600 );
		if ( strlen( $bytes ) !== file_put_contents( $temporary, $bytes ) || ! rename( $temporary, $path ) ) {
			@unlink( $temporary ); // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged
			return false;
		}
		$this->remove_unused( $path );
		return true;
	}

	/**
	 * Deletes our modules, and temporary files left by interrupted saves, unused for
	 * UNUSED_SECONDS. Used means read or written: the access time counts where the file
	 * system keeps it (relatime updates it at least daily), the modification time otherwise.
	 *
	 * @param string $kept The module just saved.
	 */
	private function remove_unused( $kept ) {
		$uid    = self::effective_uid();
		$cutoff = time() - self::UNUSED_SECONDS;
		$files  = array_merge( (array) glob( $this->dir . '/module-*.cwasm' ), (array) glob( $this->dir . '/tmp-*' ) );
		foreach ( $files as $file ) {
			$stat = $file === $kept ? false : @lstat( $file ); // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged
			if ( false !== $stat && $stat['uid'] === $uid && 0100000 === ( $stat['mode'] & 0170000 ) && max( $stat['atime'], $stat['mtime'] ) < $cutoff ) {
				@unlink( $file ); // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged
			}
		}
	}

	/**
	 * Why a path must not be trusted, or null when it may be.
	 *
	 * @param string $path      File or directory.
	 * @param int    $uid       Effective user id.
	 * @param bool   $directory Whether a directory is expected.
	 * @return string|null
	 */
	private static function untrusted( $path, $uid, $directory ) {
		clearstatcache( true, $path );
		$stat = @lstat( $path ); // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged
		if ( false === $stat ) {
			return 'does not exist and could not be created';
		}
		$type = $stat['mode'] & 0170000;
		if ( 0120000 === $type ) {
			return 'is a symbolic link';
		}
		if ( $directory ? 0040000 !== $type : 0100000 !== $type ) {
			return $directory ? 'is not a directory' : 'is not a regular file';
		}
		if ( $stat['uid'] !== $uid ) {
			return 'is owned by another user';
		}
		if ( $directory ? 0 !== ( $stat['mode'] & 0077 ) : 0 !== ( $stat['mode'] & 0022 ) ) {
			return $directory ? 'is accessible to other users (expected mode 0700)' : 'is writable by other users';
		}
		return null;
	}

	/**
	 * The effective user id, or null without the posix extension (getmyuid() reports the
	 * script file's owner, not the process, so it cannot stand in).
	 *
	 * @return int|null
	 */
	private static function effective_uid() {
		return function_exists( 'posix_geteuid' ) ? posix_geteuid() : null;
	}
}
