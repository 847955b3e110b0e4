package io.pinbff.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** SHA-256 against the FIPS 180-2 / NIST known answers, over the UTF-8 bytes of the text; ETags are its first 128 bits, quoted. */
class Sha256Test {

    @Test
    void knownAnswers() {
        assertThat(Sha256.hex("")).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assertThat(Sha256.hex("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(Sha256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))
                .isEqualTo("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    }

    @Test
    void hashesTheUtf8Bytes() {
        // python3: hashlib.sha256("Grüße, €".encode()).hexdigest()
        assertThat(Sha256.hex("Grüße, €")).isEqualTo("09e6d42a48427c7bc2c5b2dabfc70668f4e34e627bc0e52b544d7d3acfced28c");
    }

    @Test
    void hexIsLowerCaseAnd64Characters() {
        assertThat(Sha256.hex("anything")).hasSize(64).matches("[0-9a-f]{64}");
    }

    @Test
    void anEtagIsTheQuotedFirst128BitsOfTheDigest() {
        assertThat(Sha256.etag("abc")).isEqualTo("\"ba7816bf8f01cfea414140de5dae2223\"");
        assertThat(Sha256.etag("")).isEqualTo("\"e3b0c44298fc1c149afbf4c8996fb924\"");
    }

    @Test
    void differentBasesGiveDifferentEtagsAndTheSameBasisTheSame() {
        assertThat(Sha256.etag("v1")).isNotEqualTo(Sha256.etag("v2")).isEqualTo(Sha256.etag("v1"));
    }
}
