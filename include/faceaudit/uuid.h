/* Random identifiers for scan documents (scan.id). */
#ifndef FACEAUDIT_UUID_H
#define FACEAUDIT_UUID_H
/* Writes a random UUID (version 4, lower-case, 36 characters and a NUL) into out, from
 * /dev/urandom (the time, if that cannot be read: unique enough for a document id). */
void fa_uuid4(char out[40]);
#endif
