"""Delivery status notifications and feedback reports shaped like the ones real MTAs send.

Written for these tests after the layouts of Postfix, Exim, Gmail, Microsoft 365, SES's own
forwarded bounces, qmail, Yahoo, AOL and RFC 5965; names, addresses and ids are made up.
Each constant is the exact bytes (CRLF unless the name says LF).
"""

from __future__ import annotations

import base64

MID = "0100018e9a3b2c1d-1b2c3d4e-5f60-4718-89ab-cdef01234567-000000"
OTHER_MID = "0100018e9a3b2c1e-2b2c3d4e-5f60-4718-89ab-cdef01234568-000000"
BOUNCE_DOMAIN = "bounces.openses.example"
RETURN_PATH = f"{MID}@{BOUNCE_DOMAIN}"
HEADER_ID = f"<{MID}@email.amazonses.com>"


def crlf(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode("utf-8")


ORIGINAL_HEADERS = f"""Return-Path: <{RETURN_PATH}>
Received: from a1-2.smtp-out.openses.example (a1-2.smtp-out.openses.example [192.0.2.50])
	by mx.example.net (Postfix) with ESMTPS id 4B7E2C0A13
	for <nosuchuser@example.net>; Tue, 15 Mar 2022 10:12:12 +0000 (UTC)
From: Sender <sender@example.com>
To: nosuchuser@example.net, "Other, Person" <other@example.net>
Subject: Hello there
Message-ID: {HEADER_ID}
Date: Tue, 15 Mar 2022 10:12:11 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset=UTF-8
"""

POSTFIX_FAILED = crlf(f"""Return-Path: <>
Received: by mail.example.net (Postfix)
	id 3F1A2C0A12; Tue, 15 Mar 2022 10:12:13 +0000 (UTC)
Date: Tue, 15 Mar 2022 10:12:13 +0000 (UTC)
From: MAILER-DAEMON@mail.example.net (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: {RETURN_PATH}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
	boundary="3F1A2C0A12.1647339133/mail.example.net"
Content-Transfer-Encoding: 7bit
Message-Id: <20220315101213.4B7E2C0A13@mail.example.net>

This is a MIME-encapsulated message.

--3F1A2C0A12.1647339133/mail.example.net
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mail.example.net.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

<nosuchuser@example.net>: host mx.example.net[192.0.2.10] said: 550 5.1.1
    <nosuchuser@example.net>: Recipient address rejected: User unknown in
    virtual mailbox table (in reply to RCPT TO command)

--3F1A2C0A12.1647339133/mail.example.net
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.example.net
X-Postfix-Queue-ID: 3F1A2C0A12
X-Postfix-Sender: rfc822; {RETURN_PATH}
Arrival-Date: Tue, 15 Mar 2022 10:12:12 +0000 (UTC)

Final-Recipient: rfc822; nosuchuser@example.net
Original-Recipient: rfc822;nosuchuser@example.net
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.example.net
Diagnostic-Code: smtp; 550 5.1.1 <nosuchuser@example.net>: Recipient address
    rejected: User unknown in virtual mailbox table

--3F1A2C0A12.1647339133/mail.example.net
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers
Content-Transfer-Encoding: 7bit

{ORIGINAL_HEADERS}
--3F1A2C0A12.1647339133/mail.example.net--
""")

POSTFIX_DELAYED_LF = f"""Return-Path: <>
Date: Tue, 15 Mar 2022 14:12:13 +0000 (UTC)
From: MAILER-DAEMON@mail.example.net (Mail Delivery System)
Subject: Delayed Mail (still being retried)
To: {RETURN_PATH}
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
	boundary="9A1B2C3D4E.1647353533/mail.example.net"
Message-Id: <20220315141213.9A1B2C3D4E@mail.example.net>

--9A1B2C3D4E.1647353533/mail.example.net
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mail.example.net.

####################################################################
# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #
####################################################################

--9A1B2C3D4E.1647353533/mail.example.net
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.example.net
Arrival-Date: Tue, 15 Mar 2022 10:12:12 +0000 (UTC)

Final-Recipient: rfc822; slow@example.org
Action: delayed
Status: 4.4.1
Diagnostic-Code: X-Postfix; connect to mx.example.org[192.0.2.77]:25: Connection
    timed out
Will-Retry-Until: Tue, 22 Mar 2022 10:12:12 +0000 (UTC)

--9A1B2C3D4E.1647353533/mail.example.net
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

{ORIGINAL_HEADERS}
--9A1B2C3D4E.1647353533/mail.example.net--
""".encode()

EXIM_FAILED = crlf(f"""Return-path: <>
From: Mail Delivery System <Mailer-Daemon@mx.example.net>
To: {RETURN_PATH}
References: {HEADER_ID}
Content-Type: multipart/report; report-type=delivery-status; boundary=1647339133-eximdsn-1804289383
MIME-Version: 1.0
Subject: Mail delivery failed: returning message to sender
Message-Id: <E1nU4a1-0001Ab-Cd@mx.example.net>
Date: Tue, 15 Mar 2022 10:12:13 +0000

--1647339133-eximdsn-1804289383
Content-type: text/plain; charset=us-ascii

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  full@example.net
    host mx2.example.net [192.0.2.20]
    SMTP error from remote mail server after RCPT TO:<full@example.net>:
    550 5.2.2 <full@example.net>: mailbox full

--1647339133-eximdsn-1804289383
Content-type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Action: failed
Final-Recipient: rfc822;full@example.net
Status: 5.0.0
Remote-MTA: dns; mx2.example.net
Diagnostic-Code: smtp; 550 5.2.2 <full@example.net>: mailbox full

--1647339133-eximdsn-1804289383
Content-type: message/rfc822

{ORIGINAL_HEADERS}
This is the body.

--1647339133-eximdsn-1804289383--
""")

GMAIL_FAILED = crlf(f"""Delivered-To: {RETURN_PATH}
Return-Path: <>
Received: by 2002:a05:6a10:1234:0:0:0:0 with SMTP id x1csp123456pxb;
        Thu, 27 Jan 2022 07:11:53 -0800 (PST)
From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
To: {RETURN_PATH}
Auto-Submitted: auto-replied
Subject: Delivery Status Notification (Failure)
References: {HEADER_ID}
In-Reply-To: {HEADER_ID}
X-Failed-Recipients: nosuchuser@gmail.com
Message-ID: <61f2c1a4.1c69fb81.abcd.1234.GMR@mx.google.com>
Date: Thu, 27 Jan 2022 07:11:53 -0800 (PST)
MIME-Version: 1.0
Content-Type: multipart/report; boundary="000000000000a1b2c3d4e5f6a7b8"; report-type=delivery-status

--000000000000a1b2c3d4e5f6a7b8
Content-Type: multipart/related; boundary="000000000000a1b2c3d4e5f6a7c9"

--000000000000a1b2c3d4e5f6a7c9
Content-Type: multipart/alternative; boundary="000000000000a1b2c3d4e5f6a7d0"

--000000000000a1b2c3d4e5f6a7d0
Content-Type: text/plain; charset="UTF-8"


** Address not found **

Your message wasn't delivered to nosuchuser@gmail.com because the address couldn't be found, or \
is unable to receive mail.

--000000000000a1b2c3d4e5f6a7d0
Content-Type: text/html; charset="UTF-8"

<html><body><p>Address not found</p></body></html>

--000000000000a1b2c3d4e5f6a7d0--
--000000000000a1b2c3d4e5f6a7c9
Content-Type: image/png; name="icon.png"
Content-Disposition: attachment; filename="icon.png"
Content-Transfer-Encoding: base64
Content-ID: <icon.png>

iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==
--000000000000a1b2c3d4e5f6a7c9--
--000000000000a1b2c3d4e5f6a7b8
Content-Type: message/delivery-status

Reporting-MTA: dns; googlemail.com
Received-From-MTA: dns; a1-2.smtp-out.openses.example
Arrival-Date: Thu, 27 Jan 2022 07:11:52 -0800 (PST)
X-Original-Message-ID: {HEADER_ID}

Final-Recipient: rfc822; nosuchuser@gmail.com
Action: failed
Status: 5.1.1
Remote-MTA: dns; gmail-smtp-in.l.google.com. (2607:f8b0:4864:20::1a, the server for the domain \
gmail.com.)
Diagnostic-Code: smtp; 550-5.1.1 The email account that you tried to reach does not exist. \
Please try
 550-5.1.1 double-checking the recipient's email address for typos or
 550-5.1.1 unnecessary spaces. Learn more at
 550 5.1.1  https://support.google.com/mail/?p=NoSuchUser x1si123456qkb.12 - gsmtp
Last-Attempt-Date: Thu, 27 Jan 2022 07:11:53 -0800 (PST)

--000000000000a1b2c3d4e5f6a7b8
Content-Type: message/rfc822

{ORIGINAL_HEADERS}
Hello.

--000000000000a1b2c3d4e5f6a7b8--
""")

MICROSOFT_FAILED = crlf(f"""From: postmaster@outlook.com
To: {RETURN_PATH}
Date: Tue, 15 Mar 2022 10:12:14 +0000
Content-Type: multipart/report; report-type=delivery-status;
	boundary="a5b6c7d8-1234-4cde-9f01-23456789abcd"
Content-Language: en-US
Message-ID: <a1b2c3d4-5e6f-4a5b-9c8d-7e6f5a4b3c2d@DM6PR01MB1234.namprd01.prod.outlook.com>
In-Reply-To: {HEADER_ID}
References: {HEADER_ID}
Subject: Undeliverable: Hello there
Auto-Submitted: auto-replied
X-MS-Exchange-Message-Is-Ndr:
MIME-Version: 1.0

--a5b6c7d8-1234-4cde-9f01-23456789abcd
Content-Type: multipart/alternative; differences=Content-Type;
	boundary="b1c2d3e4-5678-4f90-8a1b-2c3d4e5f6a7b"

--b1c2d3e4-5678-4f90-8a1b-2c3d4e5f6a7b
Content-Type: text/plain; charset="us-ascii"
Content-Transfer-Encoding: quoted-printable

Your message to user@contoso.example couldn't be delivered.
user wasn't found at contoso.example.

--b1c2d3e4-5678-4f90-8a1b-2c3d4e5f6a7b
Content-Type: text/html; charset="us-ascii"
Content-Transfer-Encoding: quoted-printable

<html><body>Your message couldn't be delivered.</body></html>

--b1c2d3e4-5678-4f90-8a1b-2c3d4e5f6a7b--

--a5b6c7d8-1234-4cde-9f01-23456789abcd
Content-Type: message/delivery-status

Reporting-MTA: dns;DM6PR01MB1234.namprd01.prod.outlook.com
Received-From-MTA: dns;a1-2.smtp-out.openses.example
Arrival-Date: Tue, 15 Mar 2022 10:12:12 +0000

Original-Recipient: rfc822;user@contoso.example
Final-Recipient: rfc822;user@contoso.example
Action: failed
Status: 5.1.10
Diagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient user@contoso.example \
not found by SMTP address lookup

--a5b6c7d8-1234-4cde-9f01-23456789abcd
Content-Type: message/rfc822

{ORIGINAL_HEADERS}
Hello.

--a5b6c7d8-1234-4cde-9f01-23456789abcd--
""")

SES_EXPIRED = crlf(f"""Date: Sun, 17 Jan 2021 11:52:22 +0000
From: MAILER-DAEMON@amazonses.com
To: Sender <sender@example.com>
Message-ID: <{OTHER_MID}@email.amazonses.com>
Subject: Delivery Status Notification (Failure)
MIME-Version: 1.0
Content-Type: multipart/report;\x20
	boundary="----=_Part_5909269_2113273023.1610884342420";\x20
	report-type=delivery-status
Feedback-ID: 1.us-east-1.AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdef=:AmazonSES

------=_Part_5909269_2113273023.1610884342420
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: 7bit
Content-Description: Notification

An error occurred while trying to deliver the mail to the following recipients:
slow@example.org
------=_Part_5909269_2113273023.1610884342420
Content-Type: message/delivery-status
Content-Transfer-Encoding: 7bit
Content-Description: Delivery Status Notification

Reporting-MTA: dsn; a8-61.smtp-out.amazonses.com

Action: failed
Final-Recipient: rfc822; slow@example.org
Diagnostic-Code: smtp; 554 4.4.7 Message expired: unable to deliver in 840 minutes.<452-4.2.2 \
The recipient's inbox is out of storage space. Please direct the<CRLF>452-4.2.2 recipient \
to<CRLF>452 4.2.2  https://support.google.com/mail/?p=OverQuotaTemp - gsmtp>
Status: 4.4.7


------=_Part_5909269_2113273023.1610884342420
Content-Type: message/rfc822
Content-Description: Undelivered Message

{ORIGINAL_HEADERS}
------=_Part_5909269_2113273023.1610884342420--
""")

QMAIL_PLAIN = crlf(f"""Return-Path: <>
Date: 15 Mar 2022 10:12:13 -0000
From: MAILER-DAEMON@mail.example.org
To: {RETURN_PATH}
Subject: failure notice

Hi. This is the qmail-send program at mail.example.org.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<gone@example.org>:
Sorry, no mailbox here by that name. (#5.1.1)

--- Below this line is a copy of the message.

{ORIGINAL_HEADERS}
Hello.
""")

MULTI_RECIPIENT = crlf(f"""From: MAILER-DAEMON@mail.example.net
To: {RETURN_PATH}
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="XYZ"

--XYZ
Content-Type: text/plain

Some recipients failed.

--XYZ
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.example.net
Original-Envelope-Id: env-42

Final-Recipient: rfc822; a@example.net
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 user unknown

Final-Recipient: rfc822; b@example.net
Action: delayed
Status: 4.2.2
Diagnostic-Code: smtp; 452 4.2.2 mailbox full

Final-Recipient: rfc822; c@example.net
Action: delivered
Status: 2.0.0

--XYZ--
""")

MERGED_BLOCKS = crlf(f"""From: MAILER-DAEMON@mail.example.net
To: {RETURN_PATH}
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.example.net
Final-Recipient: rfc822; a@example.net
Action: failed
Status: 5.1.1
Final-Recipient: rfc822; b@example.net
Action: failed
Status: 5.2.2
--B--
""")

SPLIT_BLOCKS = crlf("""Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.example.net

Action: failed

Final-Recipient: rfc822; a@example.net
Status: 5.1.1
\x20\x20\x20
Diagnostic-Code: smtp; 550 5.1.1 no such user
--B--
""")

UPPERCASE = crlf(f"""FROM: MAILER-DAEMON@MAIL.EXAMPLE.NET
CONTENT-TYPE: MULTIPART/REPORT; REPORT-TYPE=DELIVERY-STATUS; BOUNDARY="UP"

--UP
CONTENT-TYPE: MESSAGE/DELIVERY-STATUS

REPORTING-MTA: DNS; MAIL.EXAMPLE.NET

FINAL-RECIPIENT: RFC822; <Loud@Example.NET>
ACTION: FAILED
STATUS: 5.0.0 (permanent failure)
DIAGNOSTIC-CODE: SMTP; 550 5.1.1 USER UNKNOWN

--UP
CONTENT-TYPE: TEXT/RFC822-HEADERS

MESSAGE-ID: {HEADER_ID}
TO: Loud@Example.NET

--UP--
""")

NO_TYPE_PREFIX = crlf("""Content-Type: multipart/report; report-type=delivery-status; boundary="N"

--N
Content-Type: message/delivery-status

Final-Recipient: <bare@example.net>
Action: failed
Status: 5.1.1

--N--
""")

NESTED_BOUNCE = crlf(f"""From: MAILER-DAEMON@outer.example
To: {RETURN_PATH}
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="OUTER"

--OUTER
Content-Type: message/delivery-status

Reporting-MTA: dns; outer.example

Final-Recipient: rfc822; outer@example.net
Action: failed
Status: 5.1.1

--OUTER
Content-Type: message/rfc822

Message-ID: {HEADER_ID}
Content-Type: multipart/report; report-type=delivery-status; boundary="INNER"

--INNER
Content-Type: message/delivery-status

Reporting-MTA: dns; inner.example

Final-Recipient: rfc822; inner@example.net
Action: failed
Status: 5.2.2

--INNER--

--OUTER--
""")

GLOBAL_DSN = crlf(f"""From: MAILER-DAEMON@mail.example.net
To: {RETURN_PATH}
MIME-Version: 1.0
Content-Type: multipart/report; report-type=global-delivery-status; boundary="G"

--G
Content-Type: message/global-delivery-status

Reporting-MTA: dns; mail.example.net

Final-Recipient: utf-8; jöran@exämple.net
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 Benutzer unbekannt: jöran

--G
Content-Type: message/global-headers

Message-ID: {HEADER_ID}
Subject: Grüße

--G--
""")

_ENCODED_HEADERS = (
    base64.encodebytes(f"Message-ID: {HEADER_ID}\r\nSubject: Hi\r\n\r\n".encode())
    .decode()
    .rstrip("\n")
)
BASE64_HEADERS = crlf(f"""Content-Type: multipart/report; report-type=delivery-status; boundary="C"

--C
Content-Type: message/delivery-status

Final-Recipient: rfc822; x@example.net
Action: failed
Status: 5.1.1

--C
Content-Type: text/rfc822-headers
Content-Transfer-Encoding: base64

{_ENCODED_HEADERS}
--C--
""")

NO_STATUS_PART = crlf("""From: MAILER-DAEMON@mail.example.net
Content-Type: multipart/report; report-type=delivery-status; boundary="E"

--E
Content-Type: text/plain

Something went wrong.
--E--
""")

NO_RECIPIENTS = crlf("""Content-Type: multipart/report; report-type=delivery-status; boundary="E"

--E
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.example.net
Arrival-Date: Tue, 15 Mar 2022 10:12:12 +0000

--E--
""")

TRUNCATED = POSTFIX_FAILED[: len(POSTFIX_FAILED) * 2 // 3]

# ------------------------------------------------------------------------ feedback reports

YAHOO_ARF = crlf(f"""Return-Path: <feedback@arf.mail.yahoo.example>
From: Yahoo! Mail AntiSpam Feedback <feedback@arf.mail.yahoo.example>
To: {RETURN_PATH}
Subject: FW: Hello there
Date: Thu, 19 Jan 2012 12:00:05 -0800
Message-ID: <1326999605.12345@arf.mail.yahoo.example>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; \
boundary="----=Part_1234_5678.1326999605"

------=Part_1234_5678.1326999605
Content-Type: text/plain; charset="us-ascii"
Content-Transfer-Encoding: 7bit

This is an email abuse report for an email message received from IP 192.0.2.50 on Thu, 19 Jan \
2012 12:00:00 -0800.
For more information about this format please see http://tools.ietf.org/html/rfc5965.

------=Part_1234_5678.1326999605
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: Yahoo!-Mail-Feedback/2.0
Version: 0.1
Original-Mail-From: <{RETURN_PATH}>
Original-Rcpt-To: redacted@yahoo.example
Received-Date: Thu, 19 Jan 2012 12:00:00 -0800
Source-IP: 192.0.2.50
Authentication-Results: mta1234.mail.ne1.yahoo.example  from=example.com; domainkeys=neutral \
(no sig);  from=example.com; dkim=pass (ok)
Reported-Domain: example.com

------=Part_1234_5678.1326999605
Content-Type: message/rfc822
Content-Disposition: inline

{ORIGINAL_HEADERS}
Hello.

------=Part_1234_5678.1326999605--
""")

RFC_ARF = crlf(f"""From: <abusedesk@example.com>
Date: Thu, 8 Mar 2005 17:40:36 EDT
Subject: FW: Earn money
To: <{RETURN_PATH}>
MIME-Version: 1.0
Message-ID: <report-0001@example.com>
Content-Type: multipart/report; report-type=feedback-report;
     boundary="part1_13d.2e68ed54_boundary"

--part1_13d.2e68ed54_boundary
Content-Type: text/plain; charset="US-ASCII"
Content-Transfer-Encoding: 7bit

This is an email abuse report for an email message received from IP
192.0.2.1 on Thu, 8 Mar 2005 14:00:00 EDT.

--part1_13d.2e68ed54_boundary
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: SomeGenerator/1.0
Version: 1
Original-Mail-From: <sender@example.com>
Original-Rcpt-To: <user@example.com>
Original-Rcpt-To: <user2@example.com>
Arrival-Date: Thu, 8 Mar 2005 14:00:00 EDT
Reporting-MTA: dns; mail.example.com
Source-IP: 192.0.2.1
Original-Envelope-Id: env-7
Incidents: 3
Authentication-Results: mail.example.com;
  spf=fail smtp.mail=sender@example.com
Reported-Domain: example.net
Reported-Uri: http://example.net/earn_money.html
Reported-Uri: mailto:user@example.com
Removal-Recipient: user@example.com

--part1_13d.2e68ed54_boundary
Content-Type: message/rfc822
Content-Disposition: inline

{ORIGINAL_HEADERS}
Earn money fast.

--part1_13d.2e68ed54_boundary--
""")

AOL_ARF_LF = f"""From: scomp@aol.example
To: {RETURN_PATH}
Subject: Email Feedback Report for IP 192.0.2.50
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="boundary-1138-2001-5-22"

--boundary-1138-2001-5-22
Content-Type: text/plain; charset="US-ASCII"

This is an email abuse report for an email message with the message-id of {HEADER_ID}

--boundary-1138-2001-5-22
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: AOL SComp
Version: 0.1
Received-Date: Wed, 19 Dec 2012 16:42:30 -0500 (EST)
Source-IP: 192.0.2.50
Reported-Domain: example.com
Redacted-Address: redacted

--boundary-1138-2001-5-22
Content-Type: message/rfc822

Message-ID: {HEADER_ID}
From: Sender <sender@example.com>
To: redacted@aol.example
Subject: Hello there

Hello.

--boundary-1138-2001-5-22--
""".encode()

MICROSOFT_JMRP = crlf(f"""From: staff@hotmail.example
To: {RETURN_PATH}
Subject: complaint about message from 192.0.2.50
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="JMRP"

--JMRP
Content-Type: text/plain

This is an email abuse report for an email message received from IP 192.0.2.50.

--JMRP
Content-Type: message/rfc822

{ORIGINAL_HEADERS}
Hello.

--JMRP--
""")

ARF_NO_FEEDBACK_TYPE = crlf("""Content-Type: multipart/report; report-type=feedback-report; \
boundary="F"

--F
Content-Type: message/feedback-report

User-Agent: Broken/1.0
Version: 1

--F--
""")

ARF_ODD = crlf(f"""Content-Type: multipart/report; report-type=feedback-report; boundary="F"

--F
Content-Type: message/feedback-report

FEEDBACK-TYPE: Fraud (phishing)
USER-AGENT: Odd/1.0
ORIGINAL-MAIL-FROM: <>
ORIGINAL-RCPT-TO: victim@example.org
ARRIVAL-DATE: not a date
INCIDENTS: many

--F
Content-Type: text/rfc822-headers

Message-ID: <{MID.upper()}@us-west-2.amazonses.com>

--F--
""")
