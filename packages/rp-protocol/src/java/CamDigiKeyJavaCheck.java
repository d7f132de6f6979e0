/*
 * A Java relying party written from rp-protocol.md, run by java-client.test.ts when a JDK is present.
 *
 * Why: §2.2 and §2.3 describe how the official Java client (v2) works: PKCS12 keystore with the key
 * entry `camdigikey_tls_key`, trust store alias `camdx-rootca`, a TLSv1.2 context trusting only that
 * root, AES/CBC/PKCS5Padding + HmacSHA512 envelope with base64 string comparison of the response MAC,
 * and §4.4 token validation (SHA512withECDSA over the SHA-512 digest, URL decoder when the part has
 * '-' or '_'). This checks our files, certificates, envelope and tokens with the JDK's own code,
 * plus a strict PKIX validation of the §4.3 signer chain.
 *
 * Usage: java CamDigiKeyJavaCheck.java baseUrl keystore truststore password clientId hmacKey secretKey iv token
 */
import java.io.*;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.*;
import java.security.cert.*;
import java.util.*;
import java.util.regex.*;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.*;
import javax.net.ssl.*;

public class CamDigiKeyJavaCheck {
  public static void main(String[] a) throws Exception {
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, "UTF-8");
    String base = a[0], password = a[3], clientId = a[4], token = a[8];
    char[] pw = password.toCharArray();

    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = new FileInputStream(a[1])) { ks.load(in, pw); }
    Key key = ks.getKey("camdigikey_tls_key", pw);
    out.println("KEYSTORE " + (key instanceof PrivateKey) + " " + ks.getCertificateChain("camdigikey_tls_key").length);

    KeyStore ts = KeyStore.getInstance("PKCS12");
    try (InputStream in = new FileInputStream(a[2])) { ts.load(in, pw); }
    X509Certificate root = (X509Certificate) ts.getCertificate("camdx-rootca");
    out.println("TRUSTSTORE " + ts.isCertificateEntry("camdx-rootca") + " " + Collections.list(ts.aliases()).size());

    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("root", root);
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, pw);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trusted);
    SSLContext tls = SSLContext.getInstance("TLSv1.2");
    tls.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);

    // §4.3 signer chain, validated with PKIX up to the trust-store root
    String chainJson = http(tls, base + "/chain", null);
    List<X509Certificate> chain = new ArrayList<>();
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    Matcher m = Pattern.compile("\"(-----BEGIN CERTIFICATE-----[^\"]*)\"").matcher(chainJson);
    while (m.find()) {
      String pem = m.group(1).replace("\\n", "\n");
      chain.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))));
    }
    PKIXParameters params = new PKIXParameters(Collections.singleton(new TrustAnchor(root, null)));
    params.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX").validate(cf.generateCertPath(chain.subList(0, chain.size() - 1)), params);
    out.println("CHAIN pkix-ok " + chain.size() + " " + chain.get(chain.size() - 1).equals(root));

    // §4.4 token signature, as the Java client computes it
    X509Certificate signer = chain.get(0);
    out.println("TOKEN " + tokenValid(token, signer) + " " + tokenValid(token.substring(0, token.length() - 6) + "AAAAAA", signer));

    // §2.3 envelope over mutual TLS
    byte[] secret = Base64.getDecoder().decode(a[6]), iv = Base64.getDecoder().decode(a[7]);
    byte[] hmacKey = Base64.getDecoder().decode(a[5]);
    String inner = "{\"clientId\":\"" + clientId + "\",\"domain\":\"localhost:3002\",\"requestedDate\":1717000000000,\"note\":\"ព្រះរាជាណាចក្រកម្ពុជា\"}";
    String p = Base64.getEncoder().encodeToString(aes(Cipher.ENCRYPT_MODE, secret, iv, inner.getBytes(StandardCharsets.UTF_8)));
    String sig = Base64.getEncoder().encodeToString(hmac(hmacKey, (clientId + "." + p).getBytes(StandardCharsets.UTF_8)));
    String body = "{\"clientId\":\"" + clientId + "\",\"params\":\"" + p + "\",\"signature\":\"" + sig + "\"}";
    String reply = http(tls, base + "/envelope", body);
    String data = field(reply, "data"), signature = field(reply, "signature");
    byte[] raw = Base64.getDecoder().decode(data);
    boolean macOk = Base64.getEncoder().encodeToString(hmac(hmacKey, raw)).equals(signature);
    out.println("MAC " + macOk);
    out.println("RESPONSE " + new String(aes(Cipher.DECRYPT_MODE, secret, iv, raw), StandardCharsets.UTF_8));
  }

  static boolean tokenValid(String token, X509Certificate signer) {
    try {
      String[] parts = token.split("\\.");
      if (parts.length != 3) return false;
      byte[] digest = MessageDigest.getInstance("SHA-512").digest((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      Base64.Decoder decoder = parts[2].contains("-") || parts[2].contains("_") ? Base64.getUrlDecoder() : Base64.getDecoder();
      Signature verifier = Signature.getInstance("SHA512withECDSA");
      verifier.initVerify(signer.getPublicKey());
      verifier.update(digest);
      return verifier.verify(decoder.decode(parts[2]));
    } catch (Exception e) {
      return false;
    }
  }

  static byte[] aes(int mode, byte[] key, byte[] iv, byte[] input) throws Exception {
    Cipher c = Cipher.getInstance("AES/CBC/PKCS5Padding");
    c.init(mode, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
    return c.doFinal(input);
  }

  static byte[] hmac(byte[] key, byte[] input) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA512");
    mac.init(new SecretKeySpec(key, "HmacSHA512"));
    return mac.doFinal(input);
  }

  static String field(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
    if (!m.find()) throw new IllegalStateException("no " + name + " in " + json);
    return m.group(1);
  }

  static String http(SSLContext tls, String url, String body) throws Exception {
    HttpsURLConnection c = (HttpsURLConnection) new URL(url).openConnection();
    c.setSSLSocketFactory(tls.getSocketFactory());
    c.setRequestProperty("Accept", "application/json");
    if (body != null) {
      c.setRequestMethod("POST");
      c.setDoOutput(true);
      c.setRequestProperty("Content-Type", "application/json");
      try (OutputStream o = c.getOutputStream()) { o.write(body.getBytes(StandardCharsets.UTF_8)); }
    }
    try (InputStream in = c.getInputStream()) { return new String(in.readAllBytes(), StandardCharsets.UTF_8); }
  }
}
