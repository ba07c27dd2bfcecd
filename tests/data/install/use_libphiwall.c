/* use_libphiwall.c — a program outside the tree that links the installed libphiwall through
 * pkg-config (tests/integration/install.sh). */
#include <phiwall/detect.h>
#include <phiwall/version.h>
#include <stdio.h>
int main(void)
{
    pw_detector *d;
    pw_err err;
    if (pw_detector_new(NULL, &d, &err) != PW_OK) {
        printf("%s\n", err.msg);
        return 1;
    }
    printf("phiwall %s vocab %zu\n", PW_VERSION, pw_detector_vocab_size(d));
    pw_detector_free(d);
    return 0;
}
