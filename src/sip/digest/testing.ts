/**
 * Authorization values for tests: the RFC examples, and values in the shape real
 * phones send (parameter order, quoting and spacing as Yealink, Linphone/belle-sip,
 * Grandstream and Snom firmware write them; the digests are made up).
 */
export const RFC3261_22_4 =
  'Digest username="bob",\r\n        realm="biloxi.com",\r\n        nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093",\r\n        uri="sip:bob@biloxi.com",\r\n        qop=auth,\r\n        nc=00000001,\r\n        cnonce="0a4f113b",\r\n        response="6629fae49393a05397450978507c4ef1",\r\n        opaque="5ccc069c403ebaf9f0171e9517f40e41"';

/** RFC 7616 §3.9.1, the MD5 half, folded as printed. */
export const RFC7616_MD5 =
  'Digest username="Mufasa",\r\n    realm="http-auth@example.org",\r\n    uri="/dir/index.html",\r\n    algorithm=MD5,\r\n    nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",\r\n    nc=00000001,\r\n    cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",\r\n    qop=auth,\r\n    response="8ca523f5e9506fed4657c9700eebdbec",\r\n    opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"';

/** RFC 7616 §3.9.1, the SHA-256 half. */
export const RFC7616_SHA256 =
  'Digest username="Mufasa",\r\n    realm="http-auth@example.org",\r\n    uri="/dir/index.html",\r\n    algorithm=SHA-256,\r\n    nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",\r\n    nc=00000001,\r\n    cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",\r\n    qop=auth,\r\n    response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",\r\n    opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"';

/** RFC 2617 §3.5. */
export const RFC2617 =
  'Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41"';

/** Yealink order: username first, algorithm after response, qop last. */
export const YEALINK_REGISTER =
  'Digest username="2001", realm="pbx.council.example", nonce="AYzH5qB3c1Xv9Qj3mT0k8w2nYl4rPe6sZuD7hWbKq1E", uri="sip:pbx.council.example:5060", response="1f2d3c4b5a69788796a5b4c3d2e1f001", algorithm=MD5, cnonce="3b8a9f21", opaque="", qop=auth, nc=00000001';

/** Linphone (belle-sip) order: realm first, two spaces before username. */
export const LINPHONE_REGISTER =
  'Digest realm="pbx.council.example", nonce="AYzH5qB3c1Xv9Qj3mT0k8w2nYl4rPe6sZuD7hWbKq1E", algorithm=SHA-256, opaque="+GNywA==", username="2002",  uri="sip:pbx.council.example", response="6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b", cnonce="Zx1-HqyRKE2kD2Cb", nc=00000001, qop=auth';

/** An old phone answering a challenge without qop: the legacy RFC 2069 form. */
export const LEGACY_REGISTER =
  'Digest username="3001",realm="pbx.council.example",nonce="AYzH5qB3c1Xv9Qj3mT0k8w2nYl4rPe6sZuD7hWbKq1E",uri="sip:pbx.council.example",response="0cc175b9c0f1b6a831c399e269772661",algorithm=MD5';

export const SEEDS: readonly string[] = [RFC3261_22_4, RFC7616_MD5, RFC7616_SHA256, RFC2617, YEALINK_REGISTER, LINPHONE_REGISTER, LEGACY_REGISTER];
