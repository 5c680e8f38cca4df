package org.depesche.mail;

/** The MAIL FROM BODY= parameter (RFC 6152); BINARYMIME (RFC 3030) is not offered. */
public enum BodyType { SEVEN_BIT, EIGHT_BIT_MIME }
