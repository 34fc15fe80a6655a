/*
 * setenv for dev.facebeam.models.OneDnnIsa: the JVM cannot change its own environment, and oneDNN
 * (inside libtorch) reads its ISA cap from the environment when it first dispatches a kernel.
 */
#include <jni.h>
#include <stdlib.h>

/* Sets name=value unless name is set; 0 when set by this call, 1 when it was already set, -1 on failure. */
JNIEXPORT jint JNICALL Java_dev_facebeam_models_OneDnnIsa_setenvIfAbsent(JNIEnv *env, jclass cls, jstring name, jstring value) {
  (void) cls;
  const char *n = (*env)->GetStringUTFChars(env, name, NULL);
  if (n == NULL) {
    return -1;
  }
  const char *v = (*env)->GetStringUTFChars(env, value, NULL);
  if (v == NULL) {
    (*env)->ReleaseStringUTFChars(env, name, n);
    return -1;
  }
  int status = getenv(n) != NULL ? 1 : setenv(n, v, 0) == 0 ? 0 : -1;
  (*env)->ReleaseStringUTFChars(env, value, v);
  (*env)->ReleaseStringUTFChars(env, name, n);
  return status;
}
