<?php
/**
 * Writes the translation template (.pot) of the WordPress plugin from its PHP source.
 *
 *   php scripts/make-pot.php wordpress-plugin out.pot
 *
 * WP-CLI's `wp i18n make-pot` is not available here, so this reads the code with PHP's
 * own tokenizer and extracts what WordPress's gettext functions mark for the plugin's text
 * domain: __(), _e(), _x(), _ex(), _n(), _nx(), _n_noop(), _nx_noop(), esc_html__(),
 * esc_html_e(), esc_html_x(), esc_attr__(), esc_attr_e(), esc_attr_x(); plus the plugin
 * header (name, description, author), as make-pot does. A `translators:` comment right
 * before a call is kept for translators. tests/ is skipped (it is not shipped).
 *
 * Fails (exit 1) when a call of the plugin's domain has a text that is not a literal
 * string: a translator could never see it.
 *
 * @package CasPay_Webhooks
 */

const CASPAY_POT_DOMAIN = 'caspay-webhooks';

/**
 * Argument positions per function: text, plural, context, domain (null = none).
 */
const CASPAY_POT_FUNCTIONS = array(
	'__'         => array( 0, null, null, 1 ),
	'_e'         => array( 0, null, null, 1 ),
	'esc_html__' => array( 0, null, null, 1 ),
	'esc_html_e' => array( 0, null, null, 1 ),
	'esc_attr__' => array( 0, null, null, 1 ),
	'esc_attr_e' => array( 0, null, null, 1 ),
	'_x'         => array( 0, null, 1, 2 ),
	'_ex'        => array( 0, null, 1, 2 ),
	'esc_html_x' => array( 0, null, 1, 2 ),
	'esc_attr_x' => array( 0, null, 1, 2 ),
	'_n'         => array( 0, 1, null, 3 ),
	'_nx'        => array( 0, 1, 3, 4 ),
	'_n_noop'    => array( 0, 1, null, 2 ),
	'_nx_noop'   => array( 0, 1, 2, 3 ),
);

if ( PHP_SAPI !== 'cli' || count( $argv ) !== 3 ) {
	fwrite( STDERR, "usage: php scripts/make-pot.php PLUGIN_DIR OUT.pot\n" );
	exit( 2 );
}

$plugin_dir = rtrim( $argv[1], '/' );
$entries    = array();
$errors     = array();

$files = new RecursiveIteratorIterator( new RecursiveDirectoryIterator( $plugin_dir, FilesystemIterator::SKIP_DOTS ) );
$paths = array();
foreach ( $files as $file ) {
	$relative = substr( $file->getPathname(), strlen( $plugin_dir ) + 1 );
	if ( 'php' === $file->getExtension() && 0 !== strpos( $relative, 'tests/' ) && 0 !== strpos( $relative, 'vendor/' ) ) {
		$paths[] = $relative;
	}
}
sort( $paths );

$main = null;
foreach ( $paths as $relative ) {
	$source = file_get_contents( "$plugin_dir/$relative" );
	if ( null === $main && preg_match( '/^[ \t\/*#@]*Plugin Name:/mi', $source ) ) {
		$main = $relative;
		caspay_pot_headers( $source, $relative, $entries );
	}
	caspay_pot_scan( $source, $relative, $entries, $errors );
}

if ( $errors ) {
	fwrite( STDERR, implode( "\n", $errors ) . "\n" );
	exit( 1 );
}
if ( null === $main ) {
	fwrite( STDERR, "make-pot: no main plugin file (with a Plugin Name header) in $plugin_dir\n" );
	exit( 1 );
}

file_put_contents( $argv[2], caspay_pot_render( $entries, $plugin_dir . '/' . $main ) );
fwrite( STDERR, sprintf( "make-pot: %d strings from %d files → %s\n", count( $entries ), count( $paths ), $argv[2] ) );

/**
 * Adds the translatable plugin headers.
 *
 * @param string $source   Main file source.
 * @param string $relative Its path.
 * @param array  $entries  Entries, by reference.
 */
function caspay_pot_headers( $source, $relative, array &$entries ) {
	foreach ( array( 'Plugin Name', 'Plugin URI', 'Description', 'Author', 'Author URI' ) as $header ) {
		if ( preg_match( '/^[ \t\/*#@]*' . preg_quote( $header, '/' ) . ':(.*)$/mi', $source, $m ) && '' !== trim( $m[1] ) ) {
			caspay_pot_add( $entries, trim( $m[1] ), null, null, $relative, null, $header . ' of the plugin' );
		}
	}
}

/**
 * Finds the gettext calls of one file.
 *
 * @param string $source   Source.
 * @param string $relative Path for references.
 * @param array  $entries  Entries, by reference.
 * @param array  $errors   Errors, by reference.
 */
function caspay_pot_scan( $source, $relative, array &$entries, array &$errors ) {
	$tokens  = token_get_all( $source );
	$count   = count( $tokens );
	$comment = null; // [text, end line] of the last translators: comment.
	$skip    = array( T_WHITESPACE, T_COMMENT, T_DOC_COMMENT );
	for ( $i = 0; $i < $count; $i++ ) {
		$token = $tokens[ $i ];
		if ( ! is_array( $token ) ) {
			continue;
		}
		if ( T_COMMENT === $token[0] || T_DOC_COMMENT === $token[0] ) {
			$text = trim( preg_replace( '~^\s*(/\*+|//|#)|\*+/\s*$~', '', $token[1] ) );
			$text = trim( preg_replace( '~^\s*\*\s?~m', '', $text ) );
			if ( 0 === stripos( $text, 'translators:' ) ) {
				$comment = array( preg_replace( '/\s+/', ' ', $text ), $token[2] + substr_count( $token[1], "\n" ) );
			}
			continue;
		}
		if ( T_STRING !== $token[0] || ! isset( CASPAY_POT_FUNCTIONS[ $token[1] ] ) ) {
			continue;
		}
		// A function call: not a method, a static call, a declaration or `new`.
		$prev = $i - 1;
		while ( $prev >= 0 && is_array( $tokens[ $prev ] ) && in_array( $tokens[ $prev ][0], $skip, true ) ) {
			--$prev;
		}
		if ( $prev >= 0 && is_array( $tokens[ $prev ] ) && in_array( $tokens[ $prev ][0], array( T_OBJECT_OPERATOR, T_DOUBLE_COLON, T_FUNCTION, T_NEW, T_NULLSAFE_OBJECT_OPERATOR ), true ) ) {
			continue;
		}
		$next = $i + 1;
		while ( $next < $count && is_array( $tokens[ $next ] ) && in_array( $tokens[ $next ][0], $skip, true ) ) {
			++$next;
		}
		if ( $next >= $count || '(' !== $tokens[ $next ] ) {
			continue;
		}
		$args                           = caspay_pot_arguments( $tokens, $next );
		list( $text, $plural, $context, $domain ) = CASPAY_POT_FUNCTIONS[ $token[1] ];
		$domain_value                   = isset( $args[ $domain ] ) ? $args[ $domain ] : null;
		if ( CASPAY_POT_DOMAIN !== $domain_value ) {
			continue; // Another domain (WordPress's own strings), or none.
		}
		$line = $token[2];
		foreach ( array( $text, $plural, $context ) as $position ) {
			if ( null !== $position && ( ! array_key_exists( $position, $args ) || null === $args[ $position ] ) ) {
				$errors[] = "$relative:$line: {$token[1]}() with a text that is not a literal string; translators would never see it";
				continue 2;
			}
		}
		$translators = ( null !== $comment && $line - $comment[1] <= 1 ) ? $comment[0] : null;
		caspay_pot_add( $entries, $args[ $text ], null === $plural ? null : $args[ $plural ], null === $context ? null : $args[ $context ], $relative . ':' . $line, $translators, null );
		$comment = null;
	}
}

/**
 * The arguments of the call whose `(` is at $open: each a literal string (concatenations
 * of literals included) or null.
 *
 * @param array $tokens Tokens.
 * @param int   $open   Index of `(`.
 * @return array<int, string|null>
 */
function caspay_pot_arguments( array $tokens, $open ) {
	$args    = array();
	$depth   = 0;
	$current = array();
	$count   = count( $tokens );
	for ( $i = $open; $i < $count; $i++ ) {
		$token = $tokens[ $i ];
		$text  = is_array( $token ) ? $token[1] : $token;
		if ( in_array( $text, array( '(', '[', '{' ), true ) || ( is_array( $token ) && in_array( $token[0], array( T_CURLY_OPEN, T_DOLLAR_OPEN_CURLY_BRACES ), true ) ) ) {
			++$depth;
			if ( 1 === $depth ) {
				continue;
			}
		} elseif ( in_array( $text, array( ')', ']', '}' ), true ) ) {
			--$depth;
			if ( 0 === $depth ) {
				$args[] = caspay_pot_literal( $current );
				break;
			}
		} elseif ( ',' === $text && 1 === $depth ) {
			$args[]  = caspay_pot_literal( $current );
			$current = array();
			continue;
		}
		$current[] = $token;
	}
	return $args;
}

/**
 * The value of an argument made only of string literals joined by `.`, else null.
 *
 * @param array $tokens The argument's tokens.
 * @return string|null
 */
function caspay_pot_literal( array $tokens ) {
	$value    = '';
	$expect   = 'string';
	$has_text = false;
	foreach ( $tokens as $token ) {
		if ( is_array( $token ) && in_array( $token[0], array( T_WHITESPACE, T_COMMENT, T_DOC_COMMENT ), true ) ) {
			continue;
		}
		if ( 'string' === $expect && is_array( $token ) && T_CONSTANT_ENCAPSED_STRING === $token[0] ) {
			$value   .= caspay_pot_unquote( $token[1] );
			$expect   = 'dot';
			$has_text = true;
		} elseif ( 'dot' === $expect && '.' === $token ) {
			$expect = 'string';
		} else {
			return null;
		}
	}
	return $has_text && 'dot' === $expect ? $value : null;
}

/**
 * A PHP string literal's value (no interpolation: T_CONSTANT_ENCAPSED_STRING has none).
 *
 * @param string $literal The literal with its quotes.
 * @return string
 */
function caspay_pot_unquote( $literal ) {
	$body = substr( $literal, 1, -1 );
	if ( "'" === $literal[0] ) {
		return preg_replace( "/\\\\([\\\\'])/", '$1', $body );
	}
	return preg_replace_callback(
		'/\\\\(u\{[0-9A-Fa-f]+\}|x[0-9A-Fa-f]{1,2}|[0-7]{1,3}|.)/s',
		static function ( $m ) {
			$map = array(
				'n'  => "\n",
				't'  => "\t",
				'r'  => "\r",
				'v'  => "\v",
				'e'  => "\e",
				'f'  => "\f",
				'\\' => '\\',
				'$'  => '$',
				'"'  => '"',
			);
			$c   = $m[1];
			if ( isset( $map[ $c ] ) ) {
				return $map[ $c ];
			}
			if ( 'u' === $c[0] && strlen( $c ) > 1 ) {
				return mb_chr( hexdec( substr( $c, 2, -1 ) ), 'UTF-8' );
			}
			if ( 'x' === $c[0] && strlen( $c ) > 1 ) {
				return chr( hexdec( substr( $c, 1 ) ) );
			}
			if ( ctype_digit( $c ) ) {
				return chr( octdec( $c ) & 255 );
			}
			return '\\' . $c;
		},
		$body
	);
}

/**
 * Adds or merges an entry.
 *
 * @param array       $entries     Entries, by reference.
 * @param string      $text        msgid.
 * @param string|null $plural      msgid_plural.
 * @param string|null $context     msgctxt.
 * @param string|null $reference   file:line.
 * @param string|null $translators Translators' comment.
 * @param string|null $extracted   Other extracted comment.
 */
function caspay_pot_add( array &$entries, $text, $plural, $context, $reference, $translators, $extracted ) {
	$id = ( null === $context ? '' : $context . "\x04" ) . $text;
	if ( ! isset( $entries[ $id ] ) ) {
		$entries[ $id ] = array(
			'text'       => $text,
			'plural'     => $plural,
			'context'    => $context,
			'references' => array(),
			'comments'   => array(),
		);
	}
	if ( null !== $plural ) {
		$entries[ $id ]['plural'] = $plural;
	}
	if ( null !== $reference ) {
		$entries[ $id ]['references'][] = $reference;
	}
	foreach ( array( $translators, $extracted ) as $comment ) {
		if ( null !== $comment && ! in_array( $comment, $entries[ $id ]['comments'], true ) ) {
			$entries[ $id ]['comments'][] = $comment;
		}
	}
}

/**
 * A string as a PO quoted string.
 *
 * @param string $text Text.
 * @return string
 */
function caspay_pot_quote( $text ) {
	return '"' . strtr(
		$text,
		array(
			'\\' => '\\\\',
			'"'  => '\\"',
			"\n" => '\\n',
			"\t" => '\\t',
			"\r" => '\\r',
		)
	) . '"';
}

/**
 * The .pot file.
 *
 * @param array  $entries Entries.
 * @param string $main    Main plugin file.
 * @return string
 */
function caspay_pot_render( array $entries, $main ) {
	$source  = file_get_contents( $main );
	$name    = preg_match( '/Plugin Name:\s*(.+)/', $source, $m ) ? trim( $m[1] ) : 'Plugin';
	$version = preg_match( '/^[ \t\/*#@]*Version:\s*(.+)$/mi', $source, $m ) ? trim( $m[1] ) : '';
	$author  = preg_match( '/^[ \t\/*#@]*Author:\s*(.+)$/mi', $source, $m ) ? trim( $m[1] ) : '';
	$license = preg_match( '/^[ \t\/*#@]*License:\s*(.+)$/mi', $source, $m ) ? trim( $m[1] ) : '';
	$time    = getenv( 'SOURCE_DATE_EPOCH' ) ? (int) getenv( 'SOURCE_DATE_EPOCH' ) : time();
	$out     = "# Copyright (C) " . gmdate( 'Y', $time ) . " $author\n# This file is distributed under the $license license.\n";
	$out    .= "msgid \"\"\nmsgstr \"\"\n";
	foreach ( array(
		'Project-Id-Version' => trim( "$name $version" ),
		'Report-Msgid-Bugs-To' => '',
		'Last-Translator'    => 'FULL NAME <EMAIL@ADDRESS>',
		'Language-Team'      => 'LANGUAGE <LL@li.org>',
		'MIME-Version'       => '1.0',
		'Content-Type'       => 'text/plain; charset=UTF-8',
		'Content-Transfer-Encoding' => '8bit',
		'POT-Creation-Date'  => gmdate( 'Y-m-d H:i', $time ) . '+0000',
		'PO-Revision-Date'   => 'YEAR-MO-DA HO:MI+ZONE',
		'X-Generator'        => 'caspay-webhooks scripts/make-pot.php',
		'X-Domain'           => CASPAY_POT_DOMAIN,
	) as $header => $value ) {
		$out .= caspay_pot_quote( "$header: $value\n" ) . "\n";
	}
	foreach ( $entries as $entry ) {
		$out .= "\n";
		foreach ( $entry['comments'] as $comment ) {
			$out .= "#. $comment\n";
		}
		if ( $entry['references'] ) {
			$out .= '#: ' . implode( ' ', $entry['references'] ) . "\n";
		}
		if ( preg_match( '/%(\d+\$)?[sdfFuxXcbeEgGo]/', $entry['text'] . (string) $entry['plural'] ) ) {
			$out .= "#, php-format\n";
		}
		if ( null !== $entry['context'] ) {
			$out .= 'msgctxt ' . caspay_pot_quote( $entry['context'] ) . "\n";
		}
		$out .= 'msgid ' . caspay_pot_quote( $entry['text'] ) . "\n";
		if ( null !== $entry['plural'] ) {
			$out .= 'msgid_plural ' . caspay_pot_quote( $entry['plural'] ) . "\nmsgstr[0] \"\"\nmsgstr[1] \"\"\n";
		} else {
			$out .= "msgstr \"\"\n";
		}
	}
	return $out;
}
