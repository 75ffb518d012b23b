# S3 source (src/source/s3*.c): libcurl with CURLOPT_AWS_SIGV4, libxml2 for the XML answers.
PKGS_C += libcurl libxml-2.0
