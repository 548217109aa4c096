<?php
/**
 * Checks a WordPress plugin's readme.txt against wordpress.org's readme standard.
 *
 *   php scripts/check-readme.php wordpress-plugin     (exit 1 on any error)
 *   php scripts/check-readme.php --self-test          (the checks catch what they should)
 *
 * The rules are those the plugin directory documents and applies when it parses a readme
 * (developer.wordpress.org/plugins/wordpress-org/how-your-readme-txt-works/ and the
 * directory's readme validator): a `=== Plugin Name ===` title; the header fields
 * Contributors (wordpress.org user names), Tags (the directory keeps the first five),
 * Requires at least, Tested up to (a WordPress version, numbers only), Requires PHP, Stable
 * tag, License and License URI; a short description of at most 150 characters, without
 * markup; `== Section ==` headings. On top of them, what this repository must keep true:
 * every header field present, the Stable tag equal to the plugin's Version, Requires
 * at least / Requires PHP / License equal to the main file's headers (WordPress reads the
 * requirements from the main file), a changelog entry for the Stable tag, and no section
 * name used twice. A readme above 10 KB is reported as a warning (the handbook says larger
 * ones "may result in errors").
 *
 * @package CasPay_Webhooks
 */

const CASPAY_README_HEADERS = array(
	'contributors'      => 'Contributors',
	'donate link'       => 'Donate link',
	'tags'              => 'Tags',
	'requires at least' => 'Requires at least',
	'tested up to'      => 'Tested up to',
	'requires php'      => 'Requires PHP',
	'stable tag'        => 'Stable tag',
	'license'           => 'License',
	'license uri'       => 'License URI',
);

const CASPAY_README_REQUIRED = array( 'contributors', 'tags', 'requires at least', 'tested up to', 'requires php', 'stable tag', 'license', 'license uri' );

/** Sections the directory knows (aliases on the right); others show under Description. */
const CASPAY_README_SECTIONS = array(
	'description'                => 'description',
	'installation'               => 'installation',
	'faq'                        => 'faq',
	'frequently asked questions' => 'faq',
	'screenshots'                => 'screenshots',
	'screenshot'                 => 'screenshots',
	'changelog'                  => 'changelog',
	'change log'                 => 'changelog',
	'upgrade notice'             => 'upgrade_notice',
);

if ( PHP_SAPI !== 'cli' ) {
	exit( 2 );
}
if ( isset( $argv[1] ) && '--self-test' === $argv[1] ) {
	exit( caspay_readme_self_test() );
}
if ( ! isset( $argv[1] ) ) {
	fwrite( STDERR, "usage: php scripts/check-readme.php PLUGIN_DIR | --self-test\n" );
	exit( 2 );
}
$dir    = rtrim( $argv[1], '/' );
$main   = caspay_readme_main_file( $dir );
$result = caspay_readme_check( (string) file_get_contents( "$dir/readme.txt" ), null === $main ? '' : (string) file_get_contents( $main ) );
foreach ( $result['warnings'] as $warning ) {
	fwrite( STDERR, "readme.txt: warning: $warning\n" );
}
foreach ( $result['notes'] as $note ) {
	fwrite( STDERR, "readme.txt: note: $note\n" );
}
if ( $result['errors'] ) {
	foreach ( $result['errors'] as $error ) {
		fwrite( STDERR, "readme.txt: error: $error\n" );
	}
	exit( 1 );
}
echo "readme.txt: valid (" . count( $result['warnings'] ) . " warnings)\n";
exit( 0 );

/**
 * The plugin's main file: the PHP file at the top of the folder with a Plugin Name header.
 *
 * @param string $dir Plugin folder.
 * @return string|null
 */
function caspay_readme_main_file( $dir ) {
	foreach ( (array) glob( "$dir/*.php" ) as $file ) {
		if ( preg_match( '/^[ \t\/*#@]*Plugin Name:/mi', (string) file_get_contents( $file, false, null, 0, 8192 ) ) ) {
			return $file;
		}
	}
	return null;
}

/**
 * A header of the main plugin file.
 *
 * @param string $source Main file source.
 * @param string $name   Header name.
 * @return string|null
 */
function caspay_readme_plugin_header( $source, $name ) {
	return preg_match( '/^[ \t\/*#@]*' . preg_quote( $name, '/' ) . ':(.*)$/mi', $source, $m ) ? trim( $m[1] ) : null;
}

/**
 * Checks a readme.
 *
 * @param string $readme The readme.txt text.
 * @param string $main   The main plugin file's source ('' when there is none).
 * @return array{errors: string[], warnings: string[], notes: string[]}
 */
function caspay_readme_check( $readme, $main ) {
	$errors   = array();
	$warnings = array();
	$notes    = array();
	if ( strlen( $readme ) > 10 * 1024 ) {
		$warnings[] = sprintf( 'it is %d bytes; the handbook warns that a readme larger than 10 KB may result in errors', strlen( $readme ) );
	}
	if ( 0 === strpos( $readme, "\xEF\xBB\xBF" ) ) {
		$readme = substr( $readme, 3 );
	}
	if ( ! preg_match( '//u', $readme ) ) {
		$errors[] = 'not valid UTF-8';
		return compact( 'errors', 'warnings', 'notes' );
	}
	$lines = preg_split( '/\R/', $readme );
	$i     = 0;
	$n     = count( $lines );
	while ( $i < $n && '' === trim( $lines[ $i ] ) ) {
		++$i;
	}
	// Title.
	$name = null;
	if ( $i < $n && preg_match( '/^===\s*(.+?)\s*===\s*$/', $lines[ $i ], $m ) ) {
		$name = $m[1];
		++$i;
	}
	if ( null === $name || '' === $name || 0 === strcasecmp( $name, 'Plugin Name' ) ) {
		$errors[] = 'the first line must be the plugin name as "=== Plugin Name ===" (with the actual name)';
	} elseif ( '' !== $main && caspay_readme_plugin_header( $main, 'Plugin Name' ) !== $name ) {
		$errors[] = sprintf( 'the title "%s" differs from the main file\'s Plugin Name "%s"', $name, (string) caspay_readme_plugin_header( $main, 'Plugin Name' ) );
	}
	// Header fields, up to the first blank line.
	$headers = array();
	for ( ; $i < $n && '' !== trim( $lines[ $i ] ); $i++ ) {
		if ( ! preg_match( '/^\s*([^:]+?)\s*:\s*(.*?)\s*$/', $lines[ $i ], $m ) ) {
			$errors[] = sprintf( 'header line %d is not "Field: value": %s', $i + 1, $lines[ $i ] );
			continue;
		}
		$field = strtolower( $m[1] );
		if ( ! isset( CASPAY_README_HEADERS[ $field ] ) ) {
			$errors[] = sprintf( 'unknown header field "%s" (known: %s)', $m[1], implode( ', ', CASPAY_README_HEADERS ) );
			continue;
		}
		if ( isset( $headers[ $field ] ) ) {
			$errors[] = sprintf( 'header field "%s" appears twice', CASPAY_README_HEADERS[ $field ] );
		}
		$headers[ $field ] = $m[2];
	}
	foreach ( CASPAY_README_REQUIRED as $field ) {
		if ( ! isset( $headers[ $field ] ) || '' === $headers[ $field ] ) {
			$errors[] = sprintf( 'the header field "%s" is missing or empty', CASPAY_README_HEADERS[ $field ] );
		}
	}
	$version = '/^\d+\.\d+(\.\d+)?$/';
	if ( isset( $headers['contributors'] ) ) {
		foreach ( array_map( 'trim', explode( ',', $headers['contributors'] ) ) as $user ) {
			if ( ! preg_match( '/^[a-z0-9][a-z0-9_.-]*$/', $user ) ) {
				$errors[] = sprintf( 'Contributors: "%s" is not a wordpress.org user name (lowercase letters, digits, "-", "_", ".")', $user );
			}
		}
	}
	if ( isset( $headers['tags'] ) ) {
		$tags = array_filter( array_map( 'trim', explode( ',', $headers['tags'] ) ), 'strlen' );
		if ( count( $tags ) > 5 ) {
			$errors[] = sprintf( 'Tags: %d tags; the directory keeps only the first 5', count( $tags ) );
		}
		if ( array_intersect( array_map( 'strtolower', $tags ), array( 'plugin', 'wordpress' ) ) ) {
			$errors[] = 'Tags: "plugin" and "wordpress" are ignored by the directory';
		}
	}
	foreach ( array( 'requires at least', 'tested up to', 'requires php' ) as $field ) {
		if ( isset( $headers[ $field ] ) && '' !== $headers[ $field ] && ! preg_match( $version, $headers[ $field ] ) ) {
			$errors[] = sprintf( '%s: "%s" must be a version in numbers only, such as 6.1', CASPAY_README_HEADERS[ $field ], $headers[ $field ] );
		}
	}
	if ( isset( $headers['requires at least'], $headers['tested up to'] ) && preg_match( $version, $headers['requires at least'] ) && preg_match( $version, $headers['tested up to'] )
		&& version_compare( $headers['requires at least'], $headers['tested up to'], '>' ) ) {
		$errors[] = 'Requires at least is newer than Tested up to';
	}
	if ( isset( $headers['stable tag'] ) && '' !== $headers['stable tag'] ) {
		$tag = $headers['stable tag'];
		if ( 'trunk' !== $tag && ! preg_match( '/^\d[0-9A-Za-z._-]*$/', $tag ) ) {
			$errors[] = sprintf( 'Stable tag: "%s" is not a Subversion tag name', $tag );
		}
		$plugin_version = '' === $main ? null : caspay_readme_plugin_header( $main, 'Version' );
		if ( null !== $plugin_version && $plugin_version !== $tag ) {
			$errors[] = sprintf( 'Stable tag %s differs from the plugin\'s Version %s', $tag, $plugin_version );
		}
	}
	if ( isset( $headers['license uri'] ) && '' !== $headers['license uri'] && ! preg_match( '~^https?://\S+$~', $headers['license uri'] ) ) {
		$errors[] = 'License URI must be a URL';
	}
	if ( '' !== $main ) {
		foreach ( array(
			'requires at least' => 'Requires at least',
			'requires php'      => 'Requires PHP',
			'license'           => 'License',
			'license uri'       => 'License URI',
		) as $field => $plugin_header ) {
			$in_main = caspay_readme_plugin_header( $main, $plugin_header );
			if ( isset( $headers[ $field ] ) && null !== $in_main && $in_main !== $headers[ $field ] ) {
				$errors[] = sprintf( '%s is "%s" here and "%s" in the main plugin file', CASPAY_README_HEADERS[ $field ], $headers[ $field ], $in_main );
			}
		}
	}
	// Short description: the text up to the first section heading.
	$short = array();
	for ( ; $i < $n && ! preg_match( '/^\s*==/', $lines[ $i ] ); $i++ ) {
		if ( '' !== trim( $lines[ $i ] ) ) {
			$short[] = trim( $lines[ $i ] );
		}
	}
	$short_text = implode( ' ', $short );
	if ( '' === $short_text ) {
		$errors[] = 'the short description (the line after the header fields) is missing';
	} else {
		if ( mb_strlen( $short_text, 'UTF-8' ) > 150 ) {
			$errors[] = sprintf( 'the short description has %d characters; at most 150 are shown', mb_strlen( $short_text, 'UTF-8' ) );
		}
		if ( preg_match( '/<[a-z\/!]|\[[^\]]*\]\(|`|\*\*|^[*#>-] /i', $short_text ) ) {
			$errors[] = 'the short description must be plain text (no HTML or Markdown)';
		}
	}
	// Sections.
	$sections = array();
	$current  = null;
	for ( ; $i < $n; $i++ ) {
		if ( preg_match( '/^\s*==\s*(.*?)\s*==\s*$/', $lines[ $i ], $m ) && '=' !== substr( trim( $m[1] ), 0, 1 ) ) {
			$title = $m[1];
			if ( '' === $title ) {
				$errors[] = sprintf( 'line %d: a section heading without a name', $i + 1 );
				continue;
			}
			$key = strtolower( $title );
			$key = isset( CASPAY_README_SECTIONS[ $key ] ) ? CASPAY_README_SECTIONS[ $key ] : 'custom: ' . $title;
			if ( isset( $sections[ $key ] ) ) {
				$errors[] = sprintf( 'the section "%s" appears twice', $title );
			}
			if ( 0 === strpos( $key, 'custom: ' ) ) {
				$notes[] = sprintf( 'custom section "%s" (shown under Description on wordpress.org)', $title );
			}
			$sections[ $key ] = '';
			$current          = $key;
			continue;
		}
		if ( null !== $current ) {
			$sections[ $current ] .= $lines[ $i ] . "\n";
		}
	}
	foreach ( array(
		'description' => 'Description',
		'installation' => 'Installation',
		'changelog'   => 'Changelog',
	) as $key => $title ) {
		if ( ! isset( $sections[ $key ] ) || '' === trim( $sections[ $key ] ) ) {
			$errors[] = sprintf( 'the "== %s ==" section is missing or empty', $title );
		}
	}
	if ( isset( $sections['changelog'], $headers['stable tag'] ) && 'trunk' !== $headers['stable tag']
		&& ! preg_match( '/^\s*=\s*' . preg_quote( $headers['stable tag'], '/' ) . '\b[^=]*=\s*$/m', $sections['changelog'] ) ) {
		$errors[] = sprintf( 'the Changelog has no "= %s =" entry for the Stable tag', $headers['stable tag'] );
	}
	if ( isset( $sections['upgrade_notice'] ) ) {
		foreach ( preg_split( '/^\s*=.*=\s*$/m', $sections['upgrade_notice'] ) as $notice ) {
			if ( mb_strlen( trim( $notice ), 'UTF-8' ) > 300 ) {
				$errors[] = 'an upgrade notice is longer than 300 characters';
			}
		}
	}
	return compact( 'errors', 'warnings', 'notes' );
}

/**
 * Broken readmes must fail, each for its reason; a good one must pass.
 *
 * @return int Exit status.
 */
function caspay_readme_self_test() {
	$main = "<?php\n/**\n * Plugin Name: Example\n * Version: 1.2.0\n * Requires at least: 6.0\n * Requires PHP: 8.0\n * License: MIT\n * License URI: https://opensource.org/licenses/MIT\n */\n";
	$good = "=== Example ===\nContributors: someone, other-one\nTags: payments, webhooks\nRequires at least: 6.0\nTested up to: 6.1\nRequires PHP: 8.0\nStable tag: 1.2.0\nLicense: MIT\nLicense URI: https://opensource.org/licenses/MIT\n\nA short description.\n\n== Description ==\n\nLong.\n\n== Installation ==\n\n1. Install.\n\n== Changelog ==\n\n= 1.2.0 =\n* Changed.\n";
	$cases = array(
		'good'                 => array( $good, null ),
		'placeholder title'    => array( str_replace( '=== Example ===', '=== Plugin Name ===', $good ), 'the first line must be the plugin name' ),
		'missing Tested up to' => array( str_replace( "Tested up to: 6.1\n", '', $good ), '"Tested up to" is missing' ),
		'Tested up to as text' => array( str_replace( 'Tested up to: 6.1', 'Tested up to: WP 6.1', $good ), 'numbers only' ),
		'stable tag mismatch'  => array( str_replace( 'Stable tag: 1.2.0', 'Stable tag: 1.1.0', $good ), 'differs from the plugin\'s Version' ),
		'long description'     => array( str_replace( 'A short description.', str_repeat( 'word ', 31 ), $good ), 'at most 150' ),
		'markup'               => array( str_replace( 'A short description.', 'A **bold** claim.', $good ), 'plain text' ),
		'six tags'             => array( str_replace( 'Tags: payments, webhooks', 'Tags: a, b, c, d, e, f', $good ), 'first 5' ),
		'no license URI'       => array( str_replace( "License URI: https://opensource.org/licenses/MIT\n", '', $good ), '"License URI" is missing' ),
		'license mismatch'     => array( str_replace( 'License: MIT', 'License: GPLv2', $good ), 'in the main plugin file' ),
		'unknown header'       => array( str_replace( "Tags:", "Tested with: 6.1\nTags:", $good ), 'unknown header field' ),
		'bad contributor'      => array( str_replace( 'Contributors: someone', 'Contributors: Some One', $good ), 'not a wordpress.org user name' ),
		'no changelog entry'   => array( str_replace( '= 1.2.0 =', '= 1.1.0 =', $good ), 'no "= 1.2.0 =" entry' ),
		'duplicate section'    => array( $good . "\n== Description ==\n\nAgain.\n", 'appears twice' ),
		'no installation'      => array( str_replace( "== Installation ==\n\n1. Install.\n\n", '', $good ), '"== Installation ==" section' ),
	);
	$failed = 0;
	foreach ( $cases as $name => list( $readme, $expected ) ) {
		$errors = caspay_readme_check( $readme, $main )['errors'];
		$ok     = null === $expected ? array() === $errors : (bool) array_filter(
			$errors,
			static function ( $e ) use ( $expected ) {
				return false !== strpos( $e, $expected );
			}
		);
		if ( ! $ok ) {
			++$failed;
			fwrite( STDERR, "check-readme self-test: $name: got " . json_encode( $errors ) . "\n" );
		}
	}
	echo 'check-readme self-test: ' . ( count( $cases ) - $failed ) . '/' . count( $cases ) . " cases\n";
	return $failed ? 1 : 0;
}
