<?php
/**
 * Typed reads of one JSON object of the body, with errors naming the full field path.
 *
 * @package CasPay_Webhooks
 */

defined( 'ABSPATH' ) || defined( 'CASPAY_WEBHOOKS_LIBRARY' ) || exit;

/**
 * The pure-PHP counterpart of the core's `Fields`: the same lookups, the same error
 * paths and reasons, so both engines report `data.payment.amount` for the same body.
 */
final class CasPay_Event_Fields {

	/**
	 * The decoded object (see CasPay_Json).
	 *
	 * @var array
	 */
	private $map;

	/**
	 * Path of this object from the root, '' for the root.
	 *
	 * @var string
	 */
	private $path;

	/**
	 * Wraps one decoded object.
	 *
	 * @param array  $map  Decoded object.
	 * @param string $path Its path from the root.
	 */
	public function __construct( array $map, $path ) {
		$this->map  = $map;
		$this->path = $path;
	}

	/**
	 * The first of $names that is present and not null, as [name, value]. Several names
	 * exist because the three body shapes spell some fields differently.
	 *
	 * @param string[] $names Accepted spellings, preferred first.
	 * @return array|null
	 */
	private function find( array $names ) {
		foreach ( $names as $name ) {
			if ( isset( $this->map[ $name ] ) ) {
				return array( $name, $this->map[ $name ] );
			}
		}
		return null;
	}

	/**
	 * An invalid_event error for a field of this object.
	 *
	 * @param string $name   Field name.
	 * @param string $reason What is wrong with it.
	 * @return CasPay_Webhook_Exception
	 */
	public function error( $name, $reason ) {
		$field = '' === $this->path ? $name : $this->path . '.' . $name;
		return CasPay_Webhook_Exception::create( 'invalid_event', $reason, $field );
	}

	/**
	 * An optional string.
	 *
	 * @param string[] $names Accepted spellings.
	 * @return string|null
	 * @throws CasPay_Webhook_Exception When present but not a string.
	 */
	public function string( array $names ) {
		$found = $this->find( $names );
		if ( null === $found ) {
			return null;
		}
		if ( ! CasPay_Json::is_string( $found[1] ) ) {
			throw $this->error( $found[0], 'must be a string' );
		}
		return CasPay_Json::string_value( $found[1] );
	}

	/**
	 * A required, non-empty string.
	 *
	 * @param string[] $names Accepted spellings; errors name the first.
	 * @return string
	 * @throws CasPay_Webhook_Exception When missing, empty or not a string.
	 */
	public function required_string( array $names ) {
		$value = $this->string( $names );
		if ( null === $value ) {
			throw $this->error( $names[0], 'is missing' );
		}
		if ( '' === $value ) {
			throw $this->error( $names[0], 'must not be empty' );
		}
		return $value;
	}

	/**
	 * An optional boolean.
	 *
	 * @param string[] $names Accepted spellings.
	 * @return bool|null
	 * @throws CasPay_Webhook_Exception When present but not a boolean.
	 */
	public function boolean( array $names ) {
		$found = $this->find( $names );
		if ( null === $found ) {
			return null;
		}
		if ( ! is_bool( $found[1] ) ) {
			throw $this->error( $found[0], 'must be true or false' );
		}
		return $found[1];
	}

	/**
	 * The text of an amount (a JSON number, or a string holding one) and the name it was
	 * found under; its unit is applied by amount_in() once the currency is known.
	 *
	 * @param string[] $names Accepted spellings.
	 * @return array{0: string, 1: string}|null [name, exact text], null when absent.
	 * @throws CasPay_Webhook_Exception When present but not a non-negative decimal.
	 */
	public function amount_text( array $names ) {
		$found = $this->find( $names );
		if ( null === $found ) {
			return null;
		}
		$value = $found[1];
		$text  = null;
		if ( CasPay_Json::is_number( $value ) ) {
			$text = CasPay_Json::number_text( $value );
		} elseif ( is_string( $value ) ) {
			$text = CasPay_Json::string_value( $value );
		}
		if ( null === $text || ! CasPay_Amount::is_decimal( $text ) ) {
			throw $this->error( $found[0], CasPay_Amount::NOT_DECIMAL );
		}
		return array( $found[0], $text );
	}

	/**
	 * A required amount's text.
	 *
	 * @param string[] $names Accepted spellings; errors name the first.
	 * @return array{0: string, 1: string} [name, exact text].
	 * @throws CasPay_Webhook_Exception When missing or invalid.
	 */
	public function required_amount_text( array $names ) {
		$found = $this->amount_text( $names );
		if ( null === $found ) {
			throw $this->error( $names[0], 'is missing' );
		}
		return $found;
	}

	/**
	 * An amount read by amount_text(), in a unit: {value, unit, motes}.
	 *
	 * @param array{0: string, 1: string} $found [name, exact text].
	 * @param string                      $unit  One of CasPay_Amount's UNIT_ constants.
	 * @return array
	 * @throws CasPay_Webhook_Exception When not a whole number of motes, or too large.
	 */
	public function amount_in( array $found, $unit ) {
		list( $amount, $reason ) = CasPay_Amount::read( $found[1], $unit );
		if ( null !== $reason ) {
			throw $this->error( $found[0], $reason );
		}
		return $amount;
	}

	/**
	 * An optional object, as plain PHP (merchant metadata is kept as sent, with amounts and
	 * numbers no host holds exactly as their text; see CasPay_Json::to_php()).
	 *
	 * @param string[] $names Accepted spellings.
	 * @return array|null
	 * @throws CasPay_Webhook_Exception When present but not an object.
	 */
	public function object_value( array $names ) {
		$found = $this->find( $names );
		if ( null === $found ) {
			return null;
		}
		if ( ! CasPay_Json::is_object( $found[1] ) ) {
			throw $this->error( $found[0], 'must be an object' );
		}
		return CasPay_Json::to_php( $found[1] );
	}

	/**
	 * A nested object to read fields from.
	 *
	 * @param string $name Field name.
	 * @param string $path The nested object's path from the root.
	 * @return CasPay_Event_Fields|null
	 * @throws CasPay_Webhook_Exception When present but not an object.
	 */
	public function nested( $name, $path ) {
		$found = $this->find( array( $name ) );
		if ( null === $found ) {
			return null;
		}
		if ( ! CasPay_Json::is_object( $found[1] ) ) {
			throw $this->error( $name, 'must be an object' );
		}
		return new self( $found[1], $path );
	}

	/**
	 * The raw decoded value of a field, null when absent or null.
	 *
	 * @param string $name Field name.
	 * @return mixed
	 */
	public function raw( $name ) {
		return isset( $this->map[ $name ] ) ? $this->map[ $name ] : null;
	}
}
