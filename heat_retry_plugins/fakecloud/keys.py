#
#    Licensed under the Apache License, Version 2.0 (the "License"); you may
#    not use this file except in compliance with the License. You may obtain
#    a copy of the License at
#
#         http://www.apache.org/licenses/LICENSE-2.0
#
#    Unless required by applicable law or agreed to in writing, software
#    distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
#    WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
#    License for the specific language governing permissions and limitations
#    under the License.

"""SSH key pairs as Nova makes them: RSA, OpenSSH public key, MD5 print."""

import base64
import hashlib


def fingerprint(public_key: str) -> str:
    """Compute Nova's fingerprint of an OpenSSH public key.

    :param public_key: ``'<type> <base64 blob> [comment]'``.
    :returns: the colon separated MD5 of the key blob.
    :raises ValueError: if the key is not a valid OpenSSH public key.
    """
    from cryptography.hazmat.primitives import serialization

    try:
        serialization.load_ssh_public_key(public_key.strip().encode('utf-8'))
        blob = base64.b64decode(public_key.split()[1], validate=True)
    except Exception as exc:  # also cryptography's UnsupportedAlgorithm
        raise ValueError('failed to generate fingerprint: %s' % exc)
    digest = hashlib.md5(blob, usedforsecurity=False).hexdigest()
    return ':'.join(digest[i:i + 2] for i in range(0, len(digest), 2))


def generate(bits: int = 2048) -> tuple:
    """Generate an RSA key pair as Nova does for ``type: ssh``.

    :param bits: the RSA modulus size.
    :returns: ``(private_key_pem, public_key_openssh, fingerprint)``; the
        private key is a traditional ``RSA PRIVATE KEY`` PEM.
    """
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives import serialization

    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption()).decode('ascii')
    public = key.public_key().public_bytes(
        serialization.Encoding.OpenSSH,
        serialization.PublicFormat.OpenSSH).decode('ascii')
    public = '%s Generated-by-Nova' % public
    return private, public, fingerprint(public)
