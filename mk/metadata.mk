PKGS_C += zlib
