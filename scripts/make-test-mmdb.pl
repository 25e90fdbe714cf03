#!/usr/bin/perl
# Builds small MaxMind-format databases for the tests from documentation prefixes only (RFC 5737,
# RFC 3849): a Country, a City and an ASN database, with MaxMind's own writer (Debian package
# libmaxmind-db-writer-perl). No downloaded database is used anywhere.
#   perl scripts/make-test-mmdb.pl OUTDIR [VARIANT]
# VARIANT 2 changes the answers (for reload tests); VARIANT bench adds 20,000 random IPv4 and
# 2,000 IPv6 prefixes (fixed seed), so benchmarks look up a realistically deep tree.
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

my ($dir, $variant) = @ARGV;
die "usage: $0 OUTDIR [VARIANT]\n" unless defined $dir;
$variant //= 1;

my %types = (
    country => 'map', registered_country => 'map', city => 'map', subdivisions => ['array', 'map'],
    iso_code => 'utf8_string', names => 'map', en => 'utf8_string', geoname_id => 'uint32',
    autonomous_system_number => 'uint32', autonomous_system_organization => 'utf8_string',
);

sub tree {
    my ($type) = @_;
    return MaxMind::DB::Writer::Tree->new(
        ip_version => 6, record_size => 24, database_type => $type, languages => ['en'],
        description => { en => "flowpipe test $type" }, map_key_type_callback => sub { $types{ $_[0] } },
        remove_reserved_networks => 0, alias_ipv6_to_ipv4 => 1,
    );
}

sub write_db {
    my ($tree, $file) = @_;
    open my $fh, '>:raw', "$dir/$file" or die "cannot write $dir/$file: $!\n";
    $tree->write_tree($fh);
    close $fh;
}

my %geo = $variant eq '2'
  ? ('192.0.2.0/24' => ['NZ', 'Wellington', 'WGN'], '198.51.100.0/24' => ['JP', 'Tokyo', '13'], '2001:db8::/32' => ['SE', 'Stockholm', 'AB'])
  : ('192.0.2.0/24' => ['AU', 'Sydney', 'NSW'], '198.51.100.0/24' => ['DE', 'Berlin', 'BE'], '2001:db8::/32' => ['FR', 'Paris', 'IDF']);
my %asn = $variant eq '2'
  ? ('192.0.2.0/24' => [64500, 'Example Two AS'], '198.51.100.0/24' => [64501, 'Other Two AS'], '2001:db8::/32' => [64502, 'Six Two AS'])
  : ('192.0.2.0/24' => [64496, 'Example Documentation AS'], '198.51.100.0/24' => [64497, 'Other Documentation AS'], '2001:db8::/32' => [64498, 'IPv6 Documentation AS']);

my $country = tree('GeoLite2-Country');
my $city = tree('GeoLite2-City');
my $as = tree('GeoLite2-ASN');
for my $net (sort keys %geo) {
    my ($cc, $name, $sub) = @{ $geo{$net} };
    $country->insert_network($net, { country => { iso_code => $cc, names => { en => $cc } } });
    $city->insert_network($net, {
        country => { iso_code => $cc, names => { en => $cc } }, city => { names => { en => $name } },
        subdivisions => [{ iso_code => $sub, names => { en => $sub } }],
    });
}
for my $net (sort keys %asn) {
    my ($n, $org) = @{ $asn{$net} };
    $as->insert_network($net, { autonomous_system_number => $n, autonomous_system_organization => $org });
}
if ($variant eq 'bench') {
    srand(42);
    my @cc = qw(US DE FR JP BR IN GB NL SE AU CA ZA);
    for my $i (1 .. 20000) {
        my $len = 12 + int(rand(13));
        my $ip = join('.', int(rand(224)), int(rand(256)), int(rand(256)), 0);
        my $cc = $cc[$i % @cc];
        $country->insert_network("$ip/$len", { country => { iso_code => $cc, names => { en => $cc } } });
        $city->insert_network("$ip/$len", { country => { iso_code => $cc, names => { en => $cc } }, city => { names => { en => "City$i" } } });
        $as->insert_network("$ip/$len", { autonomous_system_number => 64512 + $i, autonomous_system_organization => "AS number $i" });
    }
    for my $i (1 .. 2000) {
        my $net = sprintf('2%03x:%x::/32', int(rand(4096)), int(rand(65536)));
        $country->insert_network($net, { country => { iso_code => 'DE', names => { en => 'DE' } } });
        $as->insert_network($net, { autonomous_system_number => 4200000000 + $i, autonomous_system_organization => "AS6 $i" });
    }
}
write_db($country, 'test-country.mmdb');
write_db($city, 'test-city.mmdb');
write_db($as, 'test-asn.mmdb');
